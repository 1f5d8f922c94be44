"""Points 积分: balances, ledgers and admin corrections."""
