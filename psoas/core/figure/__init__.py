"""The project's own exercise pictures: an articulated figure, posed and drawn.

`joint_positions` turns a content `Pose` (a base and joint angles) into 2-D joint
positions for a view; `interpolate` gives the poses in between; `render_svg` draws an
exercise's illustration, animated or still. The model has no drawing or web code in it,
so the camera coach can use it to make synthetic poses. See docs/figure.md.
"""

from psoas.core.figure.placement import interpolate, joint_positions
from psoas.core.figure.svg import render_svg

__all__ = ["interpolate", "joint_positions", "render_svg"]
