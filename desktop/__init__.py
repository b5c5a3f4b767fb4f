"""Neo Usage Tray: a system-tray gauge of ProjectDiscovery Neo credits."""

__version__ = "0.1.0"
