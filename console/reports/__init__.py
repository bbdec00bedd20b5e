"""Goals and reports (to come): SMART goals from the governance file, and the
metrics that measure them (response times, SLA compliance, volume, publishing
cadence, sentiment share) computed from the store for a period and scope.

Nothing lives here yet.
"""
