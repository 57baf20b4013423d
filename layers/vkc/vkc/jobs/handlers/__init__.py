"""Task handlers, one module per job type; `registry` maps task names to them."""
