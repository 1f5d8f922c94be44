"""The service taxonomy 服务类别: read by everyone, added to, renamed and retired by administrators."""
