"""Pictures: the partnership's data-flow map and the register dashboard, as SVG."""
