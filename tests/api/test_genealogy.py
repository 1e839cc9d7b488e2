"""Genealogy at every level: output lots link batches, so the recall of one excipient lot
reaches the dispensing, granulation, compression and coating batches downstream."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.api.genealogy_chain import EXCIPIENT, LACTOSE, four_level_chain, output_lot
from tests.client import ApiClient


def _path(node: dict[str, Any]) -> list[tuple[str, str]]:
    """The kinds and codes along the first branch of a tree, root first."""
    path = [(node["kind"], node["code"])]
    while node["children"]:
        node = node["children"][0]
        path.append((node["kind"], node["code"]))
    return path


async def test_the_recall_of_an_excipient_lot_reaches_every_batch_four_levels_down(
    api: ApiClient,
) -> None:
    chain = await four_level_chain(api)

    recall = await api.get(f"/trace/lots/{EXCIPIENT}/recall", "quinn")

    assert recall.status == 200, recall.body
    reached = [
        (item["batch_number"], item["level"], item["via"]) for item in recall.body["affected"]
    ]
    assert reached == [
        (chain.batches[0], 1, EXCIPIENT),
        (chain.batches[1], 2, chain.container),
        (chain.batches[2], 3, chain.lots[0]),
        (chain.batches[3], 4, chain.lots[1]),
    ]
    assert [item["step_titles"] for item in recall.body["affected"]] == [
        ["Dispense cellulose"],
        ["Charge the granulator"],
        ["Load the blend"],
        ["Load the cores"],
    ]
    assert [lot["lot_number"] for lot in recall.body["lots"]] == list(chain.lots)
    assert recall.body["message"] == (
        f"Lot {EXCIPIENT} reached 4 batch(es) over 4 level(s) and 3 lot(s) made from it."
    )
    # A lot the granulation used directly reaches the three batches from there on, not the
    # dispensing batch.
    lactose = await api.get(f"/trace/lots/{LACTOSE}/recall", "quinn")
    assert [(item["batch_number"], item["level"]) for item in lactose.body["affected"]] == [
        (chain.batches[1], 1),
        (chain.batches[2], 2),
        (chain.batches[3], 3),
    ]


async def test_traces_walk_forward_and_backward_through_the_output_lots(api: ApiClient) -> None:
    chain = await four_level_chain(api)
    blend, cores, coated = chain.lots

    forward = await api.get(f"/trace/lots/{EXCIPIENT}", "olivia")
    backward = await api.get(f"/trace/batches/{chain.batches[3]}", "olivia")

    assert _path(forward.body["tree"]) == [
        ("lot", EXCIPIENT),
        ("batch", chain.batches[0]),
        ("container", chain.container),
        ("batch", chain.batches[1]),
        ("lot", blend),
        ("batch", chain.batches[2]),
        ("lot", cores),
        ("batch", chain.batches[3]),
        ("lot", coated),
    ]
    granulation = forward.body["tree"]["children"][0]["children"][0]["children"][0]
    assert granulation["detail"]["step"] == "Charge the granulator"
    assert granulation["children"][0]["detail"]["step"] == "Discharge the blend"
    tree = backward.body["tree"]
    assert _path(tree)[:5] == [
        ("batch", chain.batches[3]),
        ("lot", cores),
        ("batch", chain.batches[2]),
        ("lot", blend),
        ("batch", chain.batches[1]),
    ]
    granulation = tree["children"][0]["children"][0]["children"][0]["children"][0]
    inputs = {child["code"]: child for child in granulation["children"]}
    assert set(inputs) == {chain.container, LACTOSE}
    assert _path(inputs[chain.container]) == [
        ("container", chain.container),
        ("lot", EXCIPIENT),
        ("supplier_lot", "AV-7734201"),
    ]
    assert _path(inputs[LACTOSE]) == [("lot", LACTOSE), ("supplier_lot", "LC-551902")]


async def test_an_output_lot_is_made_once_in_quarantine_with_its_batch_and_audit_entry(
    api: ApiClient,
) -> None:
    chain = await four_level_chain(api)
    compression_id = chain.batch_ids[2]

    cores = await output_lot(api, chain.batches[2], "STW-101-CT")
    again = await complete(api, compression_id, "discharge", values={"cores_g": 3800})
    trail = await api.get(f"/batches/{compression_id}/audit", "quinn")

    assert cores["lot_number"] == chain.lots[1]
    assert cores["quantity"] == "3.8"  # 3800 g in the material's unit, kg
    assert cores["supplier"] == "Stepwise"
    assert again.status == 409, again.body
    assert (await output_lot(api, chain.batches[2], "STW-101-CT"))["id"] == cores["id"]
    produced = [entry for entry in trail.body if entry["action"] == "lot.produced"]
    assert len(produced) == 1
    assert produced[0]["new"]["lot_number"] == cores["lot_number"]
    assert produced[0]["new"]["status"] == "quarantine"
    assert produced[0]["new"]["step_id"] == "discharge"


async def test_a_batch_that_uses_its_own_output_is_traced_without_going_round_in_circles(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "chain_rework.yaml")
    batch = await started_batch(api, "chain-rework")
    made = await complete(api, batch["id"], "discharge", values={"blend_kg": 2.0})
    assert made.status == 200, made.body
    lot = (await output_lot(api, batch["batch_number"], "STW-101-FB"))["lot_number"]
    fed_back = await complete(
        api,
        batch["id"],
        "feed_back",
        values={"blend_drum": lot},
        override={"reason": "Rework of the blend", "signature": signature("sam", "approved")},
    )
    assert fed_back.status == 200, fed_back.body

    forward = await api.get(f"/trace/lots/{lot}", "olivia")
    backward = await api.get(f"/trace/batches/{batch['batch_number']}", "olivia")
    recall = await api.get(f"/trace/lots/{lot}/recall", "olivia")

    assert _path(forward.body["tree"]) == [
        ("lot", lot),
        ("batch", batch["batch_number"]),
        ("lot", lot),
    ]
    loop = forward.body["tree"]["children"][0]["children"][0]
    assert loop["detail"]["cycle"] is True and loop["children"] == []
    assert _path(backward.body["tree"]) == [
        ("batch", batch["batch_number"]),
        ("lot", lot),
        ("batch", batch["batch_number"]),
    ]
    assert [(item["batch_number"], item["level"]) for item in recall.body["affected"]] == [
        (batch["batch_number"], 1)
    ]
    assert recall.body["lots"] == []
