"""Accounts (账户): staff accounts managed by administrators (系统管理员), passwords people choose themselves,
and the sign-ins (登录会话) an administrator can see and end. Password checks at sign-in stay in
``services.core.users``; sessions in ``services.core.sign_in_sessions``."""
