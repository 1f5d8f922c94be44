"""Offerings 资源清单: register, browse, edit, pause, resume and retire."""
