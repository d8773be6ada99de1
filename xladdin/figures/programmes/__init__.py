"""Programme measures of the plan, one module each (issue 13):

- ``sgyp``: 三个一批 batches, rates and key links (§6);
- ``bonds``: special bonds evaluated and ranked (§8);
- ``reserve``: project reserve against the statistics base (§9);
- ``attraction``: 招商引资 "125" (§11);
- ``entry``: 应统尽统 list and quarterly 入库 report (§15; the rule is ``core.statistics_entry``);
- ``reconstruction``: 灾后重建 monthly table and ranking (§7, §17);
- ``starts``: 新开工 and 开工率 (§1);
- ``tracked``: 政府投资项目 and 专项债券项目 progress (§17).

Pure core (pandas, numpy; core and the other figures). Amounts 万元, rates fractions, None = 无数据.
"""

from xladdin.figures.programmes.attraction import ATTRACTION_TIERS, attraction_125
from xladdin.figures.programmes.bonds import bond_projects, bonds
from xladdin.figures.programmes.entry import entry_report, is_quarter_end, not_entered
from xladdin.figures.programmes.reconstruction import reconstruction
from xladdin.figures.programmes.reserve import reserve
from xladdin.figures.programmes.sgyp import batch_of, held_links, key_links, sgyp, stage_index
from xladdin.figures.programmes.starts import new_starts, planned_month
from xladdin.figures.programmes.tracked import bond_progress, government_progress

__all__ = [
    "ATTRACTION_TIERS",
    "attraction_125",
    "batch_of",
    "bond_progress",
    "bond_projects",
    "bonds",
    "entry_report",
    "government_progress",
    "held_links",
    "is_quarter_end",
    "key_links",
    "new_starts",
    "not_entered",
    "planned_month",
    "reconstruction",
    "reserve",
    "sgyp",
    "stage_index",
]
