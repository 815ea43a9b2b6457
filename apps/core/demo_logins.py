"""The demo accounts (demo data only; every one has the password "demo")."""

DEMO_PASSWORD = "demo"
DEMO_LOGINS = ("agent", "lead", "auditor", "admin", "agent_b")
