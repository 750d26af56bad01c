"""The working-day calendar (工作日历): Chinese holidays and adjusted workdays, and their store."""
