"""Services: one function per thing a user does; the only code that writes. Never commits."""
