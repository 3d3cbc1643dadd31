"""partnerkit: build a partner learning site from playbooks and recorded talks."""

__version__ = "0.1.0"
