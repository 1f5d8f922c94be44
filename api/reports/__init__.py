"""Reports 报表: the three rates of 接诉即办 and counts per org and period."""
