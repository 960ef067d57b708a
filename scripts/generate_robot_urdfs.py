#!/usr/bin/env python3
"""Writes the URDFs of the robots shipped in robots/ from the tables below.

This script is the source of robots/<model>/<model>.urdf: edit the tables here, run
`python3 scripts/generate_robot_urdfs.py`, and commit both. The output is deterministic.

Every robot is written in one joint convention (see robots/README.md):
- base_link on the floor, z up, x forward (the J1 axis is z);
- at all joint values 0 the upper arm is vertical, the forearm horizontal and pointing
  forward (+x), the wrist straight; J1 turns about +z, J2 and J3 about +y, J4 about +x,
  J5 about +y, J6 about +x (all right-handed, in the link frames, which are parallel to
  base_link at the zero pose);
- tool0 is the flange frame: origin on the flange face, z out of the flange along J6, and at
  the zero pose x pointing down (-z of base_link), y = +y.
The geometry is an exact OPW arm (Brandstoetter et al., 2014): axes 2 and 3 parallel, axes 4,
5 and 6 meet in one point (the wrist centre), no lateral offset (b = 0).

Vendor joint conventions (signs, offsets, FANUC's J2/J3 coupling) are not in the URDF; they are
in each robot.yaml (`controller_joints`), which maps these URDF joint values to the values the
teach pendant shows.

Collision geometry is made of boxes and cylinders per link, sized to the arm's outline
(slightly larger than the real arm, never smaller where we know it).
"""

import math
import os
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# Collision primitives, all in metres, in the frame of their link:
#   ("box", (sx, sy, sz), (x, y, z))          box with full edge lengths, centred at (x, y, z)
#   ("cyl_x"|"cyl_y"|"cyl_z", r, (x0, x1), (a, b))
#       cylinder of radius r along that axis from coordinate x0 to x1 on the axis; (a, b) is
#       the position of the axis in the other two coordinates (y,z for x; x,z for y; x,y for z).
# Link frames: base_link at the floor; link_1 at the top of the fixed base on the J1 axis;
# link_2 on the J2 axis; link_3 on the J3 axis; link_4 on the J4 axis above/below J3;
# link_5 and link_6 at the wrist centre.

ROBOTS = [
    {
        "dir": "fanuc_r2000ic165f",
        "name": "fanuc_r2000ic165f",
        "title": "FANUC R-2000iC/165F",
        # OPW parameters (m): a1 J1-J2 offset, a2 J3-J4 offset (negative: the forearm axis is
        # above J3 when the forearm is horizontal), c1 J2 height, c2 upper arm, c3 forearm,
        # c4 wrist centre to flange.
        "opw": {"a1": 0.312, "a2": -0.225, "c1": 0.670, "c2": 1.075, "c3": 1.280, "c4": 0.215},
        "base_height": 0.30,
        # URDF limits (deg) and datasheet speeds (deg/s) in OUR joint convention.
        "lower": [-185.0, -60.0, -120.0, -360.0, -125.0, -360.0],
        "upper": [185.0, 76.0, 56.0, 360.0, 125.0, 360.0],
        "speed": [130.0, 115.0, 125.0, 180.0, 180.0, 260.0],
        "vendor_base": (0.0, 0.0, 0.670),  # FANUC world frame: on J1 at the height of J2
        "vendor_base_name": "fanuc_world",
        "collision": {
            "base_link": [("box", (0.76, 0.76, 0.30), (0.0, 0.0, 0.15))],
            "link_1": [
                ("cyl_z", 0.38, (0.0, 0.14), (0.0, 0.0)),
                ("box", (0.76, 0.68, 0.50), (0.12, 0.0, 0.35)),
            ],
            "link_2": [
                ("cyl_y", 0.25, (-0.31, 0.31), (0.0, 0.0)),
                ("box", (0.26, 0.34, 1.075), (0.0, 0.0, 0.5375)),
                ("cyl_y", 0.20, (-0.25, 0.25), (0.0, 1.075)),
            ],
            "link_3": [("box", (0.90, 0.44, 0.58), (-0.10, 0.0, 0.11))],
            "link_4": [("cyl_x", 0.13, (0.35, 1.15), (0.0, 0.0))],
            "link_5": [
                ("cyl_y", 0.15, (-0.17, 0.17), (0.0, 0.0)),
                ("cyl_x", 0.12, (-0.10, 0.175), (0.0, 0.0)),
            ],
            "link_6": [("cyl_x", 0.10, (0.175, 0.215), (0.0, 0.0))],
        },
    },
    {
        "dir": "kuka_kr210r2700extra",
        "name": "kuka_kr210r2700extra",
        "title": "KUKA KR 210 R2700 extra (KR QUANTEC extra)",
        # a2 positive: the forearm axis is 41 mm below J3 when the forearm is horizontal.
        "opw": {"a1": 0.350, "a2": 0.041, "c1": 0.675, "c2": 1.150, "c3": 1.200, "c4": 0.215},
        "base_height": 0.25,
        "lower": [-185.0, -50.0, -210.0, -350.0, -125.0, -350.0],
        "upper": [185.0, 85.0, 65.0, 350.0, 125.0, 350.0],
        "speed": [123.0, 115.0, 112.0, 179.0, 172.0, 219.0],
        "vendor_base": (0.0, 0.0, 0.0),  # KUKA $ROBROOT: on J1 at the mounting surface
        "vendor_base_name": "kuka_robroot",
        "collision": {
            "base_link": [("box", (0.80, 0.80, 0.25), (0.0, 0.0, 0.125))],
            "link_1": [
                ("cyl_z", 0.40, (0.0, 0.15), (0.0, 0.0)),
                # shoulder with the J2 gear; the hydro-pneumatic balancer sits behind it
                ("box", (0.97, 0.72, 0.52), (0.035, 0.0, 0.36)),
            ],
            "link_2": [
                ("cyl_y", 0.26, (-0.30, 0.30), (0.0, 0.0)),
                ("box", (0.30, 0.36, 1.15), (0.0, 0.0, 0.575)),
                ("cyl_y", 0.22, (-0.26, 0.26), (0.0, 1.15)),
            ],
            "link_3": [("box", (0.80, 0.48, 0.50), (-0.05, 0.0, 0.0))],
            "link_4": [("cyl_x", 0.14, (0.35, 1.05), (0.0, 0.0))],
            "link_5": [
                ("cyl_y", 0.16, (-0.18, 0.18), (0.0, 0.0)),
                ("cyl_x", 0.12, (-0.10, 0.175), (0.0, 0.0)),
            ],
            "link_6": [("cyl_x", 0.10, (0.175, 0.215), (0.0, 0.0))],
        },
    },
    {
        "dir": "abb_irb6700_200_260",
        "name": "abb_irb6700_200_260",
        "title": "ABB IRB 6700-200/2.60",
        "opw": {"a1": 0.320, "a2": -0.200, "c1": 0.780, "c2": 1.125, "c3": 1.1425, "c4": 0.200},
        "base_height": 0.30,
        "lower": [-170.0, -65.0, -180.0, -300.0, -130.0, -360.0],
        "upper": [170.0, 85.0, 70.0, 300.0, 130.0, 360.0],
        "speed": [110.0, 110.0, 110.0, 190.0, 150.0, 210.0],
        "vendor_base": (0.0, 0.0, 0.0),  # ABB base frame: on J1 at the mounting surface
        "vendor_base_name": "abb_base",
        "collision": {
            "base_link": [("box", (0.90, 0.72, 0.30), (0.0, 0.0, 0.15))],
            "link_1": [
                ("cyl_z", 0.40, (0.0, 0.15), (0.0, 0.0)),
                # shoulder with the J2 gear; the balancing cylinder sits behind it
                ("box", (0.97, 0.72, 0.57), (0.035, 0.0, 0.435)),
            ],
            "link_2": [
                ("cyl_y", 0.26, (-0.32, 0.32), (0.0, 0.0)),
                ("box", (0.30, 0.38, 1.125), (0.0, 0.0, 0.5625)),
                ("cyl_y", 0.22, (-0.275, 0.275), (0.0, 1.125)),
            ],
            "link_3": [("box", (0.90, 0.50, 0.60), (-0.10, 0.0, 0.08))],
            "link_4": [("cyl_x", 0.14, (0.35, 1.00), (0.0, 0.0))],
            "link_5": [
                ("cyl_y", 0.15, (-0.17, 0.17), (0.0, 0.0)),
                ("cyl_x", 0.11, (-0.10, 0.16), (0.0, 0.0)),
            ],
            "link_6": [("cyl_x", 0.10, (0.16, 0.20), (0.0, 0.0))],
        },
    },
]

AXES = ["0 0 1", "0 1 0", "0 1 0", "1 0 0", "0 1 0", "1 0 0"]
HALF_PI = math.pi / 2.0


def num(v):
    """Formats a number without float noise (values here are given to <= 0.1 mm)."""
    s = "%.10f" % v
    s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def rad(deg):
    return repr(math.radians(deg))


def shape_xml(shape):
    kind = shape[0]
    if kind == "box":
        _, size, c = shape
        origin = "%s %s %s" % tuple(num(v) for v in c)
        return origin, "0 0 0", '<box size="%s %s %s"/>' % tuple(num(v) for v in size)
    _, r, (x0, x1), (a, b) = shape
    mid, length = (x0 + x1) / 2.0, x1 - x0
    if kind == "cyl_x":
        origin, rpy = (mid, a, b), "0 %s 0" % repr(HALF_PI)
    elif kind == "cyl_y":
        origin, rpy = (a, mid, b), "%s 0 0" % repr(HALF_PI)
    elif kind == "cyl_z":
        origin, rpy = (a, b, mid), "0 0 0"
    else:
        raise ValueError(kind)
    return (" ".join(num(v) for v in origin), rpy,
            '<cylinder radius="%s" length="%s"/>' % (num(r), num(length)))


def link_xml(name, shapes):
    out = ['  <link name="%s">' % name]
    for shape in shapes:
        origin, rpy, geom = shape_xml(shape)
        for tag in ("visual", "collision"):
            out.append("    <%s>" % tag)
            out.append('      <origin xyz="%s" rpy="%s"/>' % (origin, rpy))
            out.append("      <geometry>%s</geometry>" % geom)
            out.append("    </%s>" % tag)
    out.append("  </link>")
    return out


def robot_urdf(robot):
    p = robot["opw"]
    h = robot["base_height"]
    origins = [
        (0.0, 0.0, h),                      # J1 at the top of the fixed base
        (p["a1"], 0.0, p["c1"] - h),        # J2
        (0.0, 0.0, p["c2"]),                # J3 above J2 (upper arm vertical)
        (0.0, 0.0, -p["a2"]),               # J4 axis above (a2 < 0) or below J3
        (p["c3"], 0.0, 0.0),                # J5 at the wrist centre
        (0.0, 0.0, 0.0),                    # J6 through the wrist centre
    ]
    out = [
        '<?xml version="1.0"?>',
        "<!-- %s for weldcell. GENERATED by scripts/generate_robot_urdfs.py: edit the script,"
        % robot["title"],
        "     not this file. Sources of every figure: robots/README.md. -->",
        '<robot name="%s">' % robot["name"],
    ]
    links = ["base_link"] + ["link_%d" % i for i in range(1, 7)]
    for name in links:
        out += link_xml(name, robot["collision"][name])
    out.append('  <link name="tool0"/>')
    out.append('  <link name="%s"/>' % robot["vendor_base_name"])
    for i in range(6):
        out += [
            '  <joint name="joint_%d" type="revolute">' % (i + 1),
            '    <parent link="%s"/>' % links[i],
            '    <child link="%s"/>' % links[i + 1],
            '    <origin xyz="%s" rpy="0 0 0"/>' % " ".join(num(v) for v in origins[i]),
            '    <axis xyz="%s"/>' % AXES[i],
            '    <limit lower="%s" upper="%s" effort="0" velocity="%s"/>'
            % (rad(robot["lower"][i]), rad(robot["upper"][i]), rad(robot["speed"][i])),
            "  </joint>",
        ]
    out += [
        "  <!-- Flange frame: z out of the flange, x down at the zero pose. -->",
        '  <joint name="link_6-tool0" type="fixed">',
        '    <parent link="link_6"/>',
        '    <child link="tool0"/>',
        '    <origin xyz="%s 0 0" rpy="0 %s 0"/>' % (num(p["c4"]), repr(HALF_PI)),
        "  </joint>",
        "  <!-- The controller's own base frame (for exporters); not part of the arm chain. -->",
        '  <joint name="base_link-%s" type="fixed">' % robot["vendor_base_name"],
        '    <parent link="base_link"/>',
        '    <child link="%s"/>' % robot["vendor_base_name"],
        '    <origin xyz="%s" rpy="0 0 0"/>' % " ".join(num(v) for v in robot["vendor_base"]),
        "  </joint>",
        "</robot>",
        "",
    ]
    return "\n".join(out)


def main():
    for robot in ROBOTS:
        for i in range(6):
            if robot["lower"][i] > robot["upper"][i]:
                sys.exit("%s joint %d: lower > upper" % (robot["name"], i + 1))
        folder = os.path.join(ROOT, "robots", robot["dir"])
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, robot["name"] + ".urdf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(robot_urdf(robot))
        print("wrote", os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
