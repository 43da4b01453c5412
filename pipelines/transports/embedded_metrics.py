"""What Debezium's own JMX metrics say about an embedded connector: is it streaming yet?

The embedded engine registers the same MBeans as a Connect worker
(``debezium.<connector>:type=connector-metrics,context=streaming,server=<topic prefix>``); ``Connected`` turns
true once the snapshot is over and the connector reads the log. Used by ``--until-caught-up``: caught up means
streaming, and no batch for a while.
"""

from __future__ import annotations


def streaming(prefix: str) -> bool | None:
    """True when the connector with ``prefix`` streams; None when it registered no streaming metrics yet."""
    import jpype

    if not jpype.isJVMStarted():
        return None
    management = jpype.JClass("java.lang.management.ManagementFactory")
    object_name = jpype.JClass("javax.management.ObjectName")
    server = management.getPlatformMBeanServer()
    pattern = object_name(f"debezium.*:type=connector-metrics,context=streaming,server={prefix},*")
    for name in server.queryNames(pattern, None):
        try:
            return bool(server.getAttribute(name, "Connected"))
        except Exception:
            return None
    return None
