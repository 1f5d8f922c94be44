"""Agreements 共建协议 / 双向服务协议: signed, renewed and terminated by secretaries, read in scope."""
