"""The plan's programme measures (issue 13) on small hand-made ledgers; every figure worked out by hand."""

import pandas as pd
import pytest

from tests.frames import ledger
from xladdin.core.periods import Period
from xladdin.core.settings import BondWeights, Settings, Thresholds, default_settings
from xladdin.figures.programmes import (
    attraction_125,
    batch_of,
    bonds,
    held_links,
    key_links,
    reserve,
    sgyp,
    stage_index,
)


def test_stage_batch_and_link_parsing() -> None:
    assert [stage_index(s) for s in ("签约", "已开工", "投产", "达效", "", None, "其他")] == [0, 1, 2, 3, -1, -1, -1]
    assert [batch_of(b) for b in ("签约一批", "第四期开工一批", "投产", "其他", None)] == \
        ["签约一批", "开工一批", "投产一批", None, None]
    assert held_links("控规批复、土地出让") == ("控规批复", "土地出让")
    assert held_links("控规批复已完成、土地出让未完成") == ("土地出让",)
    assert held_links("无") == () and held_links(None) is None  # blank is unknown, not clear


def test_sgyp_each_rate_over_its_own_batch_list() -> None:
    f = ledger([
        # 签约一批 (3): fulfilled = started, or money invested → rows 1 (开工) and 2 (invested) → 2/3
        {"name": "a", "sgyp_round": 1, "sgyp_batch": "签约一批", "sgyp_stage": "开工", "status": "在建"},
        {"name": "b", "sgyp_round": 1, "sgyp_batch": "签约一批", "sgyp_stage": "签约", "completed_before": 100.0},
        {"name": "c", "sgyp_round": 1, "sgyp_batch": "签约一批", "sgyp_stage": "签约", "status": "前期"},
        # 开工一批 (2): started = stage ≥ 开工 or 在建/竣工 or money this year → row 4 only → 1/2
        {"name": "d", "sgyp_round": 2, "sgyp_batch": "开工一批", "sgyp_stage": "开工", "status": "在建"},
        {"name": "e", "sgyp_round": 2, "sgyp_batch": "开工一批", "sgyp_stage": "签约", "status": "前期"},
        # 投产一批 (4): producing = stage ≥ 投产 → 3/4; 达效 → 1/4
        {"name": "f", "sgyp_round": 2, "sgyp_batch": "投产一批", "sgyp_stage": "投产"},
        {"name": "g", "sgyp_round": 2, "sgyp_batch": "投产一批", "sgyp_stage": "投产"},
        {"name": "h", "sgyp_round": 2, "sgyp_batch": "投产一批", "sgyp_stage": "达效"},
        {"name": "i", "sgyp_round": 2, "sgyp_batch": "投产一批", "sgyp_stage": "开工"},
        {"name": "j", "sgyp_round": 2, "sgyp_batch": None, "sgyp_stage": "达效"},  # in the programme, on no list
        {"name": "k", "sgyp_round": None, "sgyp_stage": "达效"},  # not in the programme
    ])
    t = sgyp(f, Period.of(6)).set_index("round")
    assert t.index.tolist() == ["第1期", "第2期", "合计"]
    total = t.loc["合计"]
    assert (total["projects"], total["no_batch"]) == (10, 1)
    assert (total["sign_list"], total["fulfilled"], total["fulfilment_rate"]) == (3, 2, pytest.approx(2 / 3))
    assert (total["start_list"], total["started"], total["start_rate"]) == (2, 1, 0.5)
    assert (total["production_list"], total["producing"], total["production_rate"]) == (4, 3, 0.75)
    assert (total["reached"], total["output_rate"]) == (1, 0.25)
    assert pd.isna(t.loc["第1期", "start_rate"])  # round 1 has no 开工一批 list: 无数据, not 0 and not 100%


def test_sgyp_without_batch_column_is_no_data() -> None:
    f = ledger([{"sgyp_round": 1, "sgyp_stage": "开工"}, {"sgyp_round": 1, "sgyp_stage": "达效"}])
    total = sgyp(f, Period.of(6)).set_index("round").loc["合计"]
    assert total["projects"] == 2
    assert all(pd.isna(total[k]) for k in ("fulfilment_rate", "start_rate", "production_rate", "output_rate"))


def test_key_links_list_the_projects_held_up() -> None:
    f = ledger([
        {"name": "甲", "unit": "南关街道", "sgyp_round": 1, "key_links": "控规批复、土地出让"},
        {"name": "乙", "unit": "经济开发区", "sgyp_round": 1, "key_links": "土地出让"},
        {"name": "丙", "unit": "经济开发区", "sgyp_round": 1, "key_links": "无"},
        {"name": "丁", "unit": "经济开发区", "sgyp_round": 2, "key_links": None},
        {"name": "戊", "unit": "经济开发区", "sgyp_round": None, "key_links": "建设环境"},  # not in the programme
    ])
    t = key_links(f).set_index("link")
    assert t["held"].tolist() == [1, 2, 0, 1]
    assert t.loc["土地出让", "names"] == "甲（南关街道）、乙（经济开发区）"
    assert t.loc["关键环节状态未填", "names"] == "丁（经济开发区）"


def _bond_ledger() -> object:
    return ledger([
        # 南关街道: applied 1000, issued 800, spent 400 → issuance 80, disbursement 50, compliant
        {"unit": "南关街道", "code": "A", "status": "在建", "bond_applied": 1000.0, "bond_amount": 1000.0,
         "bond_issued": 800.0, "bond_disbursed": 400.0},
        # 区教育局 (a 局委): issued all it applied for, spent nothing → issuance 100, disbursement 0
        {"unit": "区教育局", "code": "B", "status": "在建", "bond_applied": 500.0, "bond_amount": 500.0,
         "bond_issued": 500.0, "bond_disbursed": 0.0},
        # 经济开发区: project C spent 300 > issued 200 (a breach), project D fine → compliance 50;
        # issued 200 + 200 of applied 400 + 400 → issuance 50; spent 300 + 100 of issued 400 → 100 (capped)
        {"unit": "经济开发区", "code": "C", "status": "在建", "bond_applied": 400.0, "bond_issued": 200.0,
         "bond_disbursed": 300.0},
        {"unit": "经济开发区", "code": "D", "status": "在建", "bond_applied": 400.0, "bond_issued": 200.0,
         "bond_disbursed": 100.0},
        # 北下街街道: no 已发行 figure → issuance, disbursement, compliance 无数据 → no score, no rank
        {"unit": "北下街街道", "code": "E", "status": "在建", "bond_applied": 300.0, "bond_amount": 300.0},
        {"unit": "经济开发区", "code": "F"},  # no bond
    ])


def test_bonds_four_dimensions_weights_and_rank() -> None:
    s = Settings(bond_weights=BondWeights(issuance=1, quality=1, disbursement=1, compliance=1))
    f = _bond_ledger()
    # row 5 is project A (frames number Excel rows from 5): an error finding on it → quality 0
    t = bonds(f, s, error_rows={5}).set_index("unit")  # type: ignore[arg-type]
    assert t.index.tolist() == ["经济开发区", "区教育局", "南关街道", "北下街街道"]  # tie: 参数 order
    a, b, c = t.loc["南关街道"], t.loc["区教育局"], t.loc["经济开发区"]
    assert (a["issuance"], a["quality"], a["disbursement"], a["compliance"]) == (80, 0, 50, 100)
    assert a["score"] == pytest.approx((80 + 0 + 50 + 100) / 4)  # 57.5
    assert (b["issuance"], b["quality"], b["disbursement"], b["compliance"]) == (100, 100, 0, 100)
    assert b["score"] == pytest.approx(75) and b["kind"] == "区直部门"  # 局委 are ranked too
    assert (c["issuance"], c["disbursement"], c["compliance"]) == (50, 100, 50)
    assert c["score"] == pytest.approx((50 + 100 + 100 + 50) / 4)  # 75: ties with 区教育局
    assert b["rank"] == c["rank"] == 1 and a["rank"] == 3
    assert pd.isna(t.loc["北下街街道", "score"]) and pd.isna(t.loc["北下街街道", "rank"])
    assert pd.isna(t.loc["北下街街道", "issuance"])
    assert a["disbursement_rate"] == pytest.approx(0.5) and a["issue_rate"] == pytest.approx(0.8)


def test_bonds_missing_form_halves_quality_and_weights_come_from_settings() -> None:
    s = Settings(bond_weights=BondWeights(issuance=0, quality=1, disbursement=0, compliance=0))
    t = bonds(_bond_ledger(), s, missing_forms={"区教育局"}).set_index("unit")  # type: ignore[arg-type]
    assert t.loc["区教育局", "quality"] == 50 and t.loc["区教育局", "score"] == 50  # 100 × 0.5, weight on quality only
    assert t.loc["南关街道", "score"] == 100


def test_reserve_against_the_statistics_base_from_settings() -> None:
    f = ledger([
        {"status": "在建", "in_stats": True, "total_investment": 100.0},  # this year's ledger is not the base
        *({"status": "谋划", "total_investment": 100.0} for _ in range(2)),
        {"status": "前期", "total_investment": 150.0},
    ])
    r = reserve(f, default_settings())
    assert (r["reserve_projects"], r["reserve_investment"]) == (3, 350.0)
    assert r["base_projects"] is None and r["met"] is None  # no base in 参数 → 无数据, never 是
    s = Settings(thresholds=Thresholds(reserve_base_projects=1, reserve_base_investment=100.0))
    r = reserve(f, s)
    # 3 ≥ 3 × 1 and 350 ≥ 3 × 100 → met; ratios 3.0 and 3.5
    assert (r["count_ratio"], r["investment_ratio"], r["met"]) == (3.0, 3.5, True)
    s = Settings(thresholds=Thresholds(reserve_base_projects=1, reserve_base_investment=120.0))
    assert reserve(f, s)["met"] is False  # 350 < 3 × 120 = 360


def test_attraction_125_by_year_threshold_and_chain() -> None:
    f = ledger([
        {"attracted": True, "attracted_year": 2022, "name": "甲", "total_investment": 1_200_000.0},  # 120亿 → tier 1
        {"attracted": True, "attracted_year": 2022, "name": "乙", "total_investment": 150_000.0},  # 15亿 → tier 2
        {"attracted": True, "attracted_year": 2021, "name": "丙", "total_investment": 150_000.0},  # last year's
        {"attracted": True, "attracted_year": 2022, "name": "丁", "total_investment": 60_000.0,
         "industry_chain": True},  # 6亿 on a leading chain → tier 3
        {"attracted": True, "attracted_year": 2022, "name": "戊", "total_investment": 70_000.0,
         "industry_chain": False},  # 7亿 off the chains → no tier
        {"attracted": False, "attracted_year": 2022, "name": "己", "total_investment": 200_000.0},
    ])
    t = attraction_125(f, default_settings())
    assert t["target_count"].tolist() == [1, 2, 3]
    assert t["count"].tolist() == [1, 1, 1]
    assert t["met"].tolist() == [True, False, False]
    assert t["names"].tolist() == ["甲", "乙", "丁"]


def test_attraction_without_year_or_chain_is_no_data() -> None:
    f = ledger([{"attracted": True, "name": "甲", "total_investment": 1_200_000.0}])  # an old flag only
    t = attraction_125(f, default_settings())
    assert t["count"].isna().all() and t["met"].isna().all()
    f = ledger([{"attracted": True, "attracted_year": 2022, "name": "甲", "total_investment": 1_200_000.0}])
    t = attraction_125(f, default_settings())
    assert t["count"].tolist()[:2] == [1, 0] and pd.isna(t["count"].iloc[2])  # no 主导产业链 column: the chain tier alone is 无数据
