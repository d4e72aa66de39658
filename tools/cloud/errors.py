"""The one exception of the cloud tool."""


class CloudError(Exception):
    """The cloud could not be brought up, checked or stopped; the message
    says what failed and where to look."""


class ProcessExited(CloudError):
    """A process of the cloud exited while it should run: waiting longer
    is pointless."""
