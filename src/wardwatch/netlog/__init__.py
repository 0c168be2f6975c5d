"""Network logs: a tamper-evident syslog collector, vendor parsers and cross-segment detections."""
