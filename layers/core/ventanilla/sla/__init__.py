"""Service levels and legal terms as plain Python (B4, B9): no AWS, no storage.

``calendar`` counts business time (working hours, holidays, closures); ``targets`` turns a policy
into due dates, warnings and a status; ``legal`` holds the legal terms (data in
``data/legal_deadlines.json``) and their extensions; ``timers`` lists the alerts a request still
needs and names their schedules. The use cases are ``services/due_dates.py`` (a ticket's fields),
``services/sla.py`` (extend, escalate, a timer fired, admin) and ``services/timer_schedules.py``.
"""
