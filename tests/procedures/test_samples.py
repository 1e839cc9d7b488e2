"""The sample procedures are realistic and complete: a nominal batch runs through without alerts."""

import subprocess
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from procedures.dispensing import check_net, dispense_target
from procedures.guardrails import check_parameters, evaluate_step, is_applicable
from procedures.loader import load_procedure_file, sample_procedure_files
from procedures.model import Procedure, Step

SAMPLES = {path.name: path for path in sample_procedure_files()}
CLEARANCE = dict.fromkeys(("room_cleared", "press_clean", "tooling_correct"), True)

# Values an operator would record for a nominal 12 kg batch, by step id; other steps take none.
NOMINAL: dict[str, dict[str, dict[str, Any]]] = {
    "dispensing.yaml": {
        "line_clearance": dict.fromkeys(
            ("previous_batch_removed", "booth_status_clean", "downflow_running"), True
        ),
        "scan_balance": {"balance_id": "BAL-0042"},
        "balance_check": {"reference_weight_id": "RW-2KG-07", "balance_reading_g": 2000.2},
        "weigh_api": {"api_kg": 1.501},
        "weigh_mcc": {"mcc_kg": 5.882},
        "weigh_lactose": {"lactose_kg": 3.601},
        "weigh_ccs": {"ccs_kg": 0.36},
        "weigh_pvp": {"pvp_kg": 0.54},
        "weigh_lubricant": {"mgst_kg": 0.12},
        "photo_containers": {"containers_photo": "media/0001.jpg"},
    },
    "granulation.yaml": {
        "line_clearance": dict.fromkeys(
            ("suite_cleared", "granulator_clean", "materials_complete"), True
        ),
        "scan_granulator": {"granulator_id": "HSG-01"},
        "scan_containers": {
            f"{name}_container": f"C-{name}"
            for name in ("api", "mcc", "lactose", "ccs", "pvp", "mgst")
        },
        "dry_mix": {"dry_mix_time_min": 5.0, "dry_mix_impeller_rpm": 200},
        "binder_addition": {
            **{"binder_solution_kg": 3.54, "addition_time_min": 3.0},
            **{"addition_impeller_rpm": 200, "addition_power_kw": 3.4},
        },
        "wet_massing": {"wet_massing_time_min": 2.0, "end_power_kw": 5.2},
        "fluid_bed_drying": {
            **{"dryer_id": "FBD-02", "inlet_air_temp_c": 60},
            **{"drying_time_min": 35, "lod_pct": 1.6},
        },
        "dry_milling": {"mill_id": "MILL-01", "mill_screen": "1.0 mm round"},
        "granulation_yield": {"output_kg": 11.82},
    },
    "compression.yaml": {
        "line_clearance": CLEARANCE,
        "scan_press": {
            **{"press_id": "TP-03", "punch_set_id": "PS-8R-S25"},
            **{"blend_drum": "STW-101-FB/B0001"},
        },
        "press_settings": {"turret_speed_rpm": 30, "precompression_kn": 2.0, "main_force_kn": 12.0},
        "ipc_start": {
            **{"start_weight_mg": 200.4, "start_hardness_n": 82},
            **{"start_thickness_mm": 3.9, "start_friability_pct": 0.15},
        },
        "ipc_end": {
            **{"end_weight_mg": 199.6, "end_hardness_n": 80},
            **{"end_thickness_mm": 3.91, "end_friability_pct": 0.18},
        },
        "compression_yield": {"tablets_kg": 11.64, "rejects_kg": 0.3},
    },
    "coating.yaml": {
        "line_clearance": dict.fromkeys(("room_cleared", "coater_clean", "guns_checked"), True),
        "scan_coater": {"coater_id": "PC-01", "cores_drum": "STW-101-CT/B0001"},
        "prepare_suspension": {"opadry_lot": "EXC-0930/L4", "opadry_kg": 0.45, "water_kg": 2.55},
        "charge_cores": {"cores_charged_kg": 11.6, "cores_100_g": 20.02},
        "preheat": {"preheat_exhaust_c": 43},
        "spraying": {
            **{"inlet_temp_c": 60, "exhaust_temp_c": 42, "spray_rate_g_min": 40},
            **{"pan_speed_rpm": 12, "atomising_air_bar": 2.0},
        },
        "weight_gain": {"coated_100_g": 20.62},
        "appearance_check": {"appearance": "conforms"},
        "photo_tablets": {"tablets_photo": "media/0002.jpg"},
        "coating_yield": {"coated_tablets_kg": 11.8},
    },
}


def run_batch(
    procedure: Procedure, recorded: Mapping[str, dict[str, Any]]
) -> tuple[dict[str, Any], list[Step]]:
    """Complete every applicable step with `recorded` values, as the server would."""
    context: dict[str, Any] = check_parameters(procedure.parameters, {})
    skipped = []
    for step in procedure.steps():
        if not is_applicable(step, context):
            skipped.append(step)
            continue
        if step.dispense is not None:
            net = recorded[step.id][step.dispense.name]
            target = dispense_target(step.dispense, context)
            assert check_net(step.dispense, target, Decimal(str(net))) is None, step.id
            context[step.dispense.name] = net
            continue
        outcome = evaluate_step(step, recorded.get(step.id, {}), context)
        assert outcome.alerts == [], step.id
        context |= outcome.values | outcome.calculated
    return context, skipped


@pytest.mark.parametrize("name", sorted(NOMINAL))
def test_nominal_batch_runs_through_every_sample_without_alerts(name: str) -> None:
    procedure = load_procedure_file(SAMPLES[name])

    context, skipped = run_batch(procedure, NOMINAL[name])

    assert set(NOMINAL[name]) <= {step.id for step in procedure.steps()}
    assert context["batch_size_kg"] == 12.0
    assert [step.id for step in skipped] == [
        step.id for step in procedure.steps() if step.when is not None
    ]


def test_nominal_batches_compute_sensible_yields() -> None:
    results = {
        name: run_batch(load_procedure_file(SAMPLES[name]), NOMINAL[name])[0] for name in NOMINAL
    }

    assert results["dispensing.yaml"]["dispensed_of_batch_pct"] == 100.03
    assert results["granulation.yaml"]["yield_pct"] == 98.5
    assert results["compression.yaml"]["compression_yield_pct"] == 97.0
    assert results["compression.yaml"]["tablet_count"] == 58317
    assert results["coating.yaml"]["weight_gain_pct"] == 3.0
    assert results["coating.yaml"]["coating_yield_pct"] == 98.8


def test_granulation_dries_again_only_when_lod_is_above_2_pct() -> None:
    procedure = load_procedure_file(SAMPLES["granulation.yaml"])
    redry = procedure.step("redry")

    assert is_applicable(redry, {"lod_pct": 2.4})
    assert not is_applicable(redry, {"lod_pct": 2.0})


def test_samples_together_use_every_step_kind() -> None:
    kinds = {step.kind for path in SAMPLES.values() for step in load_procedure_file(path).steps()}

    assert kinds == set(Step.model_fields["kind"].annotation.__args__)  # type: ignore[union-attr]


@pytest.mark.parametrize("path", sample_procedure_files(), ids=lambda p: p.name)
def test_sample_points_editors_at_the_schema_and_uses_the_batch_size(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    procedure = load_procedure_file(path)
    expressions = [c.expression for s in procedure.steps() for c in s.calculations]

    assert text.startswith("# yaml-language-server: $schema=../schema/procedure.schema.json\n")
    assert [p.name for p in procedure.parameters] == ["batch_size_kg"]
    assert any("batch_size_kg" in expression for expression in expressions)


def test_package_imports_neither_aiohttp_nor_sqlalchemy() -> None:
    code = (
        "import sys, procedures.loader, procedures.guardrails, procedures.schema_gen\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'sqlalchemy')))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
