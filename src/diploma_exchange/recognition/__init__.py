"""Recognition: qualifications frameworks data and comparability assessment.

Public API::

    from diploma_exchange.recognition import Qualification, assess, load_registry
    a = assess(Qualification(country="RU", qualification_type="ru.candidate-of-sciences"), "KZ")
    a.outcome, a.comparable_type, a.to_json()
"""

from diploma_exchange.recognition.assessment import (
    Assessment,
    CreditConversion,
    Criterion,
    Qualification,
    Step,
    assess,
    convert_credits,
    grade_position,
)
from diploma_exchange.recognition.errors import FrameworkDataError, UnknownReference
from diploma_exchange.recognition.frameworks import (
    FrameworkRegistry,
    QualificationType,
    load_registry,
    load_registry_from,
)

__all__ = [
    "Assessment",
    "CreditConversion",
    "Criterion",
    "FrameworkDataError",
    "FrameworkRegistry",
    "Qualification",
    "QualificationType",
    "Step",
    "UnknownReference",
    "assess",
    "convert_credits",
    "grade_position",
    "load_registry",
    "load_registry_from",
]
