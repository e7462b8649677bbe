"""Facts of drills (R-DRILL; the national drill guide). Filled in below."""
