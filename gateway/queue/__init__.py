"""GraphQL mutations of the queue context (取号叫号)."""

from gateway.queue.schema import QueueMutations

__all__ = ["QueueMutations"]
