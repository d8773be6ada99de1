import pytest

from tests.frames import ledger
from xladdin.core.settings import BondWeights, Settings, default_settings
from xladdin.figures.programmes import attraction_125, bonds, not_entered, reserve, sgyp, stage_index


def test_stage_index() -> None:
    assert [stage_index(s) for s in ("签约", "已开工", "投产", "达效", "", None, "其他")] == [0, 1, 2, 3, -1, -1, -1]


def test_sgyp_rates_have_progressive_denominators() -> None:
    f = ledger([
        {"sgyp_round": 1, "sgyp_stage": "签约"},
        {"sgyp_round": 1, "sgyp_stage": "签约", "completed_before": 100.0},  # invested: fulfilled
        {"sgyp_round": 2, "sgyp_stage": "开工"},
        {"sgyp_round": 2, "sgyp_stage": "投产"},
        {"sgyp_round": 3, "sgyp_stage": "达效"},
        {"sgyp_round": None, "sgyp_stage": "达效"},  # not in the programme
    ])
    t = sgyp(f, 6).set_index("round")
    assert t.index.tolist() == ["第1期", "第2期", "第3期", "合计"]
    total = t.loc["合计"]
    assert total["projects"] == 5
    assert total["fulfilment_rate"] == pytest.approx(4 / 5)
    assert total["start_rate"] == pytest.approx(3 / 5)
    assert total["production_rate"] == pytest.approx(2 / 3)
    assert total["output_rate"] == pytest.approx(1 / 2)
    assert t.loc["第1期", "start_rate"] == 0


def test_bonds_score_and_rank() -> None:
    s = Settings(bond_weights=BondWeights(issuance=1, quality=1, disbursement=1, compliance=1))
    f = ledger([
        {"unit": "南关街道", "code": "A", "annual_plan": 10.0, "progress_text": "施工", "m06": 1.0,
         "bond_amount": 1000.0, "bond_disbursed": 500.0, "status": "在建"},
        {"unit": "经济开发区", "code": "B", "annual_plan": 10.0, "progress_text": None, "m06": 1.0,
         "bond_amount": 500.0, "bond_disbursed": 100.0, "status": "前期"},  # incomplete + spent early
        {"unit": "经济开发区", "code": "C", "bond_amount": None},
    ])
    t = bonds(f, s, 6).set_index("unit")
    assert t.loc["南关街道", "issuance"] == 100 and t.loc["经济开发区", "issuance"] == 50
    assert t.loc["南关街道", "disbursement_rate"] == pytest.approx(0.5)
    assert t.loc["南关街道", "quota_share"] == pytest.approx(1000 / 50_000)
    assert t.loc["经济开发区", "quality"] == 0 and t.loc["经济开发区", "compliance"] == 0
    assert t.loc["南关街道", "score"] == pytest.approx((100 + 100 + 50 + 100) / 4)
    assert t.loc["经济开发区", "score"] == pytest.approx((50 + 0 + 20 + 0) / 4)
    assert t["rank"].tolist() == [1, 2] and t.index.tolist() == ["南关街道", "经济开发区"]


def test_reserve_against_three_times_in_construction_in_database() -> None:
    f = ledger([
        {"status": "在建", "in_stats": True, "total_investment": 100.0},
        {"status": "在建", "in_stats": False, "total_investment": 999.0},  # not in the database
        *({"status": "谋划", "total_investment": 100.0} for _ in range(2)),
        {"status": "前期", "total_investment": 150.0},
    ])
    r = reserve(f, default_settings())
    assert (r["reserve_projects"], r["base_projects"]) == (3, 1)
    assert r["reserve_investment"] == 350.0 and r["investment_ratio"] == pytest.approx(3.5)
    assert r["met"] is True
    f2 = ledger([{"status": "在建", "in_stats": True, "total_investment": 100.0}, {"status": "谋划", "total_investment": 500.0}])
    assert reserve(f2, default_settings())["met"] is False  # count 1 < 3


def test_attraction_125_tiers() -> None:
    f = ledger([
        {"attracted": True, "name": "甲", "total_investment": 1_200_000.0},
        {"attracted": True, "name": "乙", "total_investment": 150_000.0},
        {"attracted": True, "name": "丙", "total_investment": 60_000.0},
        {"attracted": False, "name": "丁", "total_investment": 200_000.0},
    ])
    t = attraction_125(f)
    assert t["count"].tolist() == [1, 1, 1]
    assert t["met"].tolist() == [True, False, False]
    assert t["projects"].tolist() == ["甲", "乙", "丙"]


def test_not_entered_started_big_projects() -> None:
    f = ledger([
        {"unit": "经济开发区", "code": "A", "name": "a", "status": "在建", "total_investment": 600.0, "in_stats": False},
        {"unit": "南关街道", "code": "B", "name": "b", "status": "前期", "total_investment": 600.0, "m03": 5.0},  # money spent
        {"unit": "南关街道", "code": "C", "name": "c", "status": "在建", "total_investment": 400.0},  # below 500
        {"unit": "南关街道", "code": "D", "name": "d", "status": "在建", "total_investment": 900.0, "in_stats": True},
        {"unit": "南关街道", "code": "E", "name": "e", "status": "谋划", "total_investment": 900.0},
    ])
    t = not_entered(f, default_settings(), 3)
    assert t["code"].tolist() == ["A", "B"]
    assert t["unit"].tolist() == ["经济开发区", "南关街道"]
