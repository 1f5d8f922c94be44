"""Personal data under PIPL 个人信息保护: one's own data, anonymising, break-glass phone reveal."""
