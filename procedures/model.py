"""The procedure model: what an author writes and every batch of the procedure follows.

Errors are reported at the precise location of the offending field, so the loader can name the
path and line of each one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from procedures.exceptions import ExpressionInvalid
from procedures.expressions import RESERVED_NAMES, parse_expression
from procedures.locations import Issue, Loc
from procedures.references import check_references

Role = Literal["operator", "supervisor", "qa", "author", "admin"]
Severity = Literal["minor", "major", "critical"]
InputType = Literal["number", "text", "choice", "boolean", "scan", "photo"]
StepKind = Literal[
    "instruction",
    "data_entry",
    "checklist",
    "scan",
    "calculation",
    "timer",
    "verification",
    "photo",
    "dispense",
]

Side = Literal["below", "above"]
DeviationKind = Literal[
    "alert_limit",
    "hold_time_exceeded",
    "step_window_missed",
    "material_override",
    "correction_after_completion",
    "reverification_required",
    "signature_retried",
    "manual_weight",
    "observation",
]
"""What departed from the procedure (the README's quality section says which raises which)."""

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1)]


def _usable_in_expressions(name: str) -> str:
    if name in RESERVED_NAMES:
        raise ValueError(f"{name!r} is reserved in expressions; choose another name")
    return name


def _valid_expression(text: str) -> str:
    try:
        parse_expression(text)
    except ExpressionInvalid as exc:
        raise ValueError(f"invalid expression: {exc.reason}") from exc
    return text


ValueName = Annotated[Identifier, AfterValidator(_usable_in_expressions)]
ExpressionText = Annotated[str, AfterValidator(_valid_expression)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _raise_issues(model: str, issues: list[Issue]) -> None:
    """Raise one validation error per issue, each at its own location inside the model."""
    if issues:
        raise ValidationError.from_exception_data(
            model,
            [
                InitErrorDetails(
                    type=PydanticCustomError("procedure", "{message}", {"message": message}),
                    loc=loc,
                    input=None,
                )
                for loc, message in issues
            ],
        )


def _present(value: object) -> bool:
    return value is not None and value != []


def _only_on(owner: str, applies: bool, model: BaseModel, *fields: str) -> list[Issue]:
    """Issues for `fields` that are set although the model is not an `owner`."""
    if applies:
        return []
    return [
        ((name,), f"{name!r} is only allowed on {owner}s")
        for name in fields
        if _present(getattr(model, name))
    ]


def _needed_by(owner: str, applies: bool, model: BaseModel, name: str) -> list[Issue]:
    """An issue if the model is an `owner` but `name` is not set."""
    if applies and not _present(getattr(model, name)):
        return [((name,), f"{name!r} is required on {owner}s")]
    return []


class Limits(_Model):
    """Outside min..max blocks the step; inside it but outside alert_min..alert_max is accepted
    with a mandatory comment and opens a deviation."""

    min: float | None = None
    max: float | None = None
    alert_min: float | None = None
    alert_max: float | None = None
    blocking: bool = Field(
        default=False,
        description="A value in the alert band puts the batch on hold until continuation "
        "is approved.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        bounds = [
            (name, value)
            for name in ("min", "alert_min", "alert_max", "max")
            if (value := getattr(self, name)) is not None
        ]
        if not bounds:
            raise ValueError("give at least one of min, max, alert_min, alert_max")
        for index, (low_name, low) in enumerate(bounds):
            for high_name, high in bounds[index + 1 :]:
                if high < low:
                    raise ValueError(f"{high_name} must not be below {low_name}")
        if self.blocking and not self.alert():
            raise ValueError("blocking needs an alert band: give alert_min or alert_max")
        return self

    def hard(self) -> dict[str, Any]:
        """The hard limits that are set, as `{"min": .., "max": ..}`."""
        return self.model_dump(include={"min", "max"}, exclude_none=True)

    def alert(self) -> dict[str, Any]:
        """The alert limits that are set, as `{"alert_min": .., "alert_max": ..}`."""
        return self.model_dump(include={"alert_min", "alert_max"}, exclude_none=True)

    def hard_breach(self, value: float) -> Side | None:
        """Whether `value` is below `min` or above `max`."""
        return _side(value, self.min, self.max)

    def alert_breach(self, value: float) -> Side | None:
        """Whether `value` is below `alert_min` or above `alert_max`."""
        return _side(value, self.alert_min, self.alert_max)


def _side(value: float, low: float | None, high: float | None) -> Side | None:
    if low is not None and value < low:
        return "below"
    if high is not None and value > high:
        return "above"
    return None


class Expectation(_Model):
    """What a scan must resolve to: equipment of a `type`, or a lot of a `material` code."""

    kind: Literal["equipment", "material"]
    type: str | None = None
    material: str | None = None
    leaves: Literal["in_use", "dirty"] | None = Field(
        default=None,
        description="Equipment only: its status once the step is done (default in_use; in-use "
        "equipment becomes dirty when the batch completes).",
    )

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        equipment = self.kind == "equipment"
        _raise_issues(
            "Expectation",
            [
                *_needed_by("equipment expectation", equipment, self, "type"),
                *_only_on("equipment expectation", equipment, self, "type", "leaves"),
                *_needed_by("material expectation", not equipment, self, "material"),
                *_only_on("material expectation", not equipment, self, "material"),
            ],
        )
        return self


class Input(_Model):
    """A value the operator records in a step."""

    name: ValueName
    label: Text
    type: InputType
    unit: str | None = None
    required: bool = True
    limits: Limits | None = None
    choices: list[Text] | None = None
    expects: Expectation | None = None
    decimals: int | None = Field(default=None, ge=0, le=6, description="Display precision.")
    deviation_severity: Severity = Field(
        default="minor", description="Severity of the deviation opened by an alert-band value."
    )
    cqa: bool = Field(
        default=False,
        description="A critical quality attribute: an outcome in process analytics.",
    )

    @model_validator(mode="after")
    def _fits_type(self) -> Self:
        number, choice, scan = self.type == "number", self.type == "choice", self.type == "scan"
        issues = [
            *_only_on("number input", number, self, "unit", "limits", "decimals"),
            *_needed_by("choice input", choice, self, "choices"),
            *_only_on("choice input", choice, self, "choices"),
            *_needed_by("scan input", scan, self, "expects"),
            *_only_on("scan input", scan, self, "expects"),
        ]
        if self.choices and len(set(self.choices)) < len(self.choices):
            issues.append((("choices",), "choices must be unique"))
        if self.cqa and not number:
            issues.append((("cqa",), "'cqa' is only allowed on number inputs"))
        _raise_issues("Input", issues)
        return self


class Calculation(_Model):
    """A value computed when its step completes, from earlier values and the step's inputs."""

    name: ValueName
    label: Text
    expression: ExpressionText
    unit: str | None = None
    decimals: int | None = Field(default=None, ge=0, le=6, description="Result is rounded.")
    limits: Limits | None = None
    deviation_severity: Severity = "minor"
    cqa: bool = Field(
        default=False,
        description="A critical quality attribute: an outcome in process analytics.",
    )


class Hold(_Model):
    """A waiting time between the completion of an earlier step and this one."""

    after: Identifier
    min_minutes: float | None = Field(default=None, ge=0)
    max_minutes: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        if self.min_minutes is None and self.max_minutes is None:
            raise ValueError("give min_minutes, max_minutes or both")
        if self.max_minutes is not None and self.max_minutes < (self.min_minutes or 0):
            raise ValueError("max_minutes must not be below min_minutes")
        return self


DispenseUnit = Literal["mg", "g", "kg"]


class Dispense(_Model):
    """Weigh one material from a released lot into a new, labelled container.

    The operator scans the balance (`balance`) and the source lot (`lot`); the net quantity
    comes from the balance (or is typed, marked manual) and must be within target ± tolerance.
    """

    material: Text = Field(description="Material code, as in the material master.")
    name: ValueName = Field(description="Name of the dispensed net quantity.")
    target: ExpressionText = Field(
        description="Target quantity in `unit`, scaled by the batch, e.g. batch_size_kg * 0.125."
    )
    unit: DispenseUnit
    tolerance_percent: float = Field(gt=0, le=10)
    balance_type: Identifier = "balance"
    decimals: int | None = Field(default=None, ge=0, le=6, description="Display precision.")

    def value_names(self) -> tuple[str, ...]:
        """The values a dispense records: net quantity, then balance, lot and container."""
        return (self.name, *(f"{self.name}_{part}" for part in DISPENSE_PARTS))


class Yield(_Model):
    """The output lot a step produces when it is completed, such as the final blend.

    The lot's quantity is the number the operator records in `quantity_from` (an input of the
    same step, in `unit`); it starts in quarantine, like a received lot, until QA releases it.
    """

    material: Text = Field(description="Material code of the output, as in the material master.")
    quantity_from: ValueName = Field(
        description="The number input of this step that holds the quantity produced."
    )
    unit: DispenseUnit
    shelf_life_days: int = Field(
        gt=0,
        description="Days the output may be used; its expiry is never later than the earliest "
        "expiry of the lots the batch used.",
    )


DISPENSE_PARTS = ("balance", "lot", "container")
# What the operator proposes for a dispense step: the scanned balance and source lot.
DISPENSE_SCANS = ("balance", "lot")


# Step kinds that need at least one input, and of which type (None: any).
_INPUT_NEEDED: dict[str, str | None] = {
    "data_entry": None,
    "checklist": "boolean",
    "scan": "scan",
    "photo": "photo",
}


StepMediaKind = Literal["image", "video", "pdf"]


class StepMedia(_Model):
    """A file shown to the operator at a step: a picture, a short video, a PDF work instruction.

    The file lives in the media store under its content address, so a version that references
    it can never see it change."""

    id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="SHA-256 of the file's bytes: its content address in the media store."
    )
    kind: StepMediaKind
    content_type: str = Field(
        pattern=r"^(image/(png|jpeg)|video/(mp4|webm)|application/pdf)$",
        description="The file's media type, as stored.",
    )
    caption: str = Field(default="", max_length=300, description="What the operator reads.")


class Step(_Model):
    """One thing the operator does and records, in order."""

    id: Identifier
    title: Text
    kind: StepKind
    instruction: str = Field(default="", description="Plain text, short enough to read gloved.")
    inputs: list[Input] = []
    calculations: list[Calculation] = []
    when: ExpressionText | None = Field(
        default=None, description="Condition on earlier values; the step is skipped when false."
    )
    hold: Hold | None = None
    verifies: Identifier | None = Field(default=None, description="The earlier step checked.")
    verifier_roles: list[Role] = Field(default=["supervisor", "qa"], min_length=1)
    roles: list[Role] = Field(default=["operator", "supervisor"], min_length=1)
    signature: Literal["performed"] | None = Field(
        default=None, description="The performer must e-sign the completion."
    )
    dispense: Dispense | None = None
    window_minutes: float | None = Field(
        default=None,
        gt=0,
        description="Minutes from activation within which the step must be completed; "
        "a later completion raises a step_window_missed deviation.",
    )
    blocking: bool = Field(
        default=False,
        description="Any deviation raised at this step puts the batch on hold.",
    )
    yields: Yield | None = Field(
        default=None, description="The output lot created when this step is completed."
    )
    # Left out of the dump when empty, so the content hash of a step without media is what
    # it was before steps could have media.
    media: list[StepMedia] = Field(
        default=[],
        exclude_if=lambda media: not media,
        description="Pictures, videos and PDFs shown to the operator at this step.",
    )

    def label_of(self, name: str) -> str | None:
        """What people read for value `name` of this step: its label (a dispensed weight:
        the material's net weight); None for a name the step does not record."""
        for described in (*self.inputs, *self.calculations):
            if described.name == name:
                return described.label
        if self.dispense is not None and name == self.dispense.name:
            return f"{self.dispense.material} net weight"
        return None

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        kind = self.kind
        issues = [
            *_needed_by("calculation step", kind == "calculation", self, "calculations"),
            *_only_on("calculation step", kind == "calculation", self, "calculations"),
            *_needed_by("timer step", kind == "timer", self, "hold"),
            *_only_on("timer step", kind == "timer", self, "hold"),
            *_needed_by("verification step", kind == "verification", self, "verifies"),
            *_only_on("verification step", kind == "verification", self, "verifies"),
            *_needed_by("dispense step", kind == "dispense", self, "dispense"),
            *_only_on("dispense step", kind == "dispense", self, "dispense"),
        ]
        if kind == "instruction" and self.inputs:
            issues.append((("inputs",), "an instruction step takes no inputs"))
        if kind in _INPUT_NEEDED:
            wanted = _INPUT_NEEDED[kind]
            if not any(wanted in (None, item.type) for item in self.inputs):
                what = f"{wanted} input" if wanted else "input"
                issues.append((("inputs",), f"a {kind} step needs at least one {what}"))
        if kind == "checklist":
            issues += _checklist_issues(self.inputs)
        if self.yields is not None:
            issues += _yield_issues(self.yields, self.inputs)
        issues += _media_issues(self.media)
        _raise_issues("Step", issues)
        return self


# The media types each kind of step media may be.
STEP_MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "image": ("image/png", "image/jpeg"),
    "video": ("video/mp4", "video/webm"),
    "pdf": ("application/pdf",),
}


def _media_issues(media: list[StepMedia]) -> list[Issue]:
    """A file is attached to a step once, as the kind its media type is."""
    issues: list[Issue] = []
    seen: set[str] = set()
    for index, item in enumerate(media):
        if item.id in seen:
            issues.append((("media", index, "id"), "this file is already attached to the step"))
        seen.add(item.id)
        if item.content_type not in STEP_MEDIA_TYPES[item.kind]:
            issues.append(
                (("media", index, "kind"), f"a {item.content_type} file is not {item.kind!r}")
            )
    return issues


def _yield_issues(output: Yield, inputs: list[Input]) -> list[Issue]:
    """The quantity of an output comes from a number input of its step, in the output's unit."""
    source = next((item for item in inputs if item.name == output.quantity_from), None)
    where: Loc = ("yields", "quantity_from")
    if source is None:
        names = [item.name for item in inputs if item.type == "number"]
        known = f"; its number inputs: {', '.join(names)}" if names else ""
        return [(where, f"this step has no input {output.quantity_from!r}{known}")]
    if source.type != "number":
        return [(where, f"{source.name!r} is a {source.type} input, not a number")]
    if not source.required:
        return [(where, f"{source.name!r} must be required: every output needs a quantity")]
    if source.unit is not None and source.unit != output.unit:
        return [
            (("yields", "unit"), f"{source.name!r} is recorded in {source.unit}, not {output.unit}")
        ]
    return []


def _checklist_issues(items: list[Input]) -> list[Issue]:
    """Every checklist item is a required tick box."""
    issues: list[Issue] = []
    for index, item in enumerate(items):
        if item.type != "boolean":
            issues.append((("inputs", index, "type"), "checklist items must be boolean"))
        if not item.required:
            issues.append((("inputs", index, "required"), "checklist items are always required"))
    return issues


class Parameter(_Model):
    """A batch-level value given when a batch is created, such as the batch size."""

    name: ValueName
    label: Text
    type: Literal["number", "text"] = "number"
    unit: str | None = None
    limits: Limits | None = Field(default=None, description="Hard limits (min, max) only.")
    default: float | str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        number = self.type == "number"
        issues = _only_on("number parameter", number, self, "unit", "limits")
        default, limits = self.default, self.limits
        if limits and limits.alert():
            issues.append((("limits",), "parameters take hard limits (min, max) only"))
        if default is not None and number != isinstance(default, float):
            issues.append((("default",), f"the default must be a {'number' if number else 'text'}"))
        elif isinstance(default, float) and limits and limits.hard_breach(default):
            issues.append((("default",), "the default is outside the limits"))
        _raise_issues("Parameter", issues)
        return self


class Operation(_Model):
    """A group of steps, such as 'Room preparation' or 'Weighing'."""

    id: Identifier
    title: Text
    steps: list[Step] = Field(min_length=1)


class HoldPolicy(_Model):
    """Which exceptions stop a batch until a supervisor or QA approves continuation."""

    kinds: list[DeviationKind] = Field(
        default=[], description="Deviation kinds that put the batch on hold wherever raised."
    )
    approvals: int = Field(
        default=1, ge=1, le=2, description="Continuation approvals a hold needs (1 or 2)."
    )


class Procedure(_Model):
    """A master procedure: parameters given per batch, then operations of steps in order."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
    title: Text
    description: str = ""
    product: str | None = None
    stage: str | None = None
    parameters: list[Parameter] = []
    operations: list[Operation] = Field(min_length=1)
    holds: HoldPolicy = HoldPolicy()

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        _raise_issues("Procedure", check_references(self))
        return self

    def steps(self) -> list[Step]:
        """Every step in execution order, across operations."""
        return [step for operation in self.operations for step in operation.steps]

    def step(self, step_id: str) -> Step:
        """The step with this id; KeyError if there is none."""
        for step in self.steps():
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def operation_of(self, step_id: str) -> Operation:
        """The operation holding the step with this id; KeyError if there is none."""
        for operation in self.operations:
            if any(step.id == step_id for step in operation.steps):
                return operation
        raise KeyError(step_id)
