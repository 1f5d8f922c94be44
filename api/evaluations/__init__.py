"""Evaluations 评价 (一事一评, 双向评价) of completed projects."""
