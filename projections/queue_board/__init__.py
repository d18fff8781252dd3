"""The live queue board of each hall (取号叫号看板): projection and queries."""

from projections.queue_board.projection import QueueBoardProjection
from projections.queue_board.stats import QueueStats
from projections.queue_board.view import (
    CalledTicket,
    PublicBoard,
    PublicBoardQueue,
    PublicBoardWindow,
    PublicCall,
    QueueBoard,
    QueueBoardQueue,
    QueueBoardWindow,
    public_board,
    queue_board,
)

__all__ = [
    "CalledTicket",
    "PublicBoard",
    "PublicBoardQueue",
    "PublicBoardWindow",
    "PublicCall",
    "QueueBoard",
    "QueueBoardProjection",
    "QueueBoardQueue",
    "QueueBoardWindow",
    "QueueStats",
    "public_board",
    "queue_board",
]
