"""Posts 职务 (书记, 兼职委员, 网格员, 楼长, 党员中心户) held by members, managed in place."""
