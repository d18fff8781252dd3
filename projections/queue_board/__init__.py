"""The live queue board of each hall (取号叫号看板): projection and queries."""

from projections.queue_board.projection import QueueBoardProjection
from projections.queue_board.stats import QueueStats
from projections.queue_board.view import (
    CalledTicket,
    QueueBoard,
    QueueBoardQueue,
    QueueBoardWindow,
    queue_board,
)

__all__ = [
    "CalledTicket",
    "QueueBoard",
    "QueueBoardProjection",
    "QueueBoardQueue",
    "QueueBoardWindow",
    "QueueStats",
    "queue_board",
]
