"""Program generation: which exercises, how much of each, and how it grows over six weeks."""
