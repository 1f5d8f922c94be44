"""Units' own needs 双向服务: a resident unit asks its community or street for help; the switches
of 允许跨类认领 for claiming with an offering of another category."""
