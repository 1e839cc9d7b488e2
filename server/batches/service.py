"""What can be done with a batch, as the handlers and other domains call it.

Executing a batch is in `execution`, correcting its values in `corrections`, reading its
record in `record`; the rules of its state machine are in `procedures.states`.
"""

from server.batches.corrections import Correction, correct_step
from server.batches.execution import Completion, complete_step, create_batch, start_batch
from server.batches.record import BatchRecord, current_values, load_record

__all__ = [
    "BatchRecord",
    "Completion",
    "Correction",
    "complete_step",
    "correct_step",
    "create_batch",
    "current_values",
    "load_record",
    "start_batch",
]
