"""Every visible string of the app in Chinese (default) and English, and the locale's number formats.

One module, a few clearly named tables of ``(zh, en)`` pairs, one lookup (:func:`pick`):

- ``STRINGS``: the pages (:func:`t`);
- ``FIELD_LABELS``: column names in tables, popups and the details panel (:func:`label`);
- ``GEOMETRY_SOURCE_LABELS``: how a geometry was made (:func:`geometry_source_label`);
- ``MAP``: map layers, legends and tooltips;
- ``SHEET``: parcel fact sheets;
- ``REASONS``: why a parcel matches a firm (templates formatted in both languages by :func:`both`);
- ``BASEMAP_TITLES``: the basemaps' names.

Bilingual data columns (``name_zh`` / ``name_en``) are chosen with :func:`col`; numbers and distances
are written with :func:`number` and :func:`distance`, where a missing value stays missing ("—"),
never 0. A template's placeholders (``{n}``) are filled by the ``values`` of :func:`pick`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("科学城规划一张图", "Science City Planning Map"),
    "app_subtitle": ("西部（重庆）科学城 · 重庆高新区及渝中、两江、九龙坡规划", "Western (Chongqing) Science City · High-tech Zone, Yuzhong, Liangjiang, Jiulongpo plans"),
    "language": ("语言 / Language", "语言 / Language"),  # the same in both: the switcher a lost user looks for
    "mode": ("功能", "Mode"),
    "mode_planner": ("规划浏览", "Planning map"),
    "mode_promoter": ("招商推介", "Investment promotion"),
    "mode_edit": ("数据维护", "Boundaries"),
    "filters": ("筛选", "Filters"),
    "plan": ("规划", "Plan"),
    "layout": ("空间布局", "Spatial layout"),
    "sector": ("赛道 / 行业", "Sector"),
    "district": ("区县", "District"),
    "zone": ("片区 / 镇街", "Zone or town"),
    "land_range": ("占地面积（亩）", "Land area (mu)"),
    "output_range": ("产值目标（亿元）", "Output target (100 M CNY)"),
    "precision": ("几何精度", "Geometry precision"),
    "search": ("搜索项目或片区（中文 / 英文 / 拼音）", "Search projects or zones (Chinese / English / pinyin)"),
    "search_hits": ("搜索结果", "Search results"),
    "no_hits": ("没有匹配的项目或片区", "No matching project or zone"),
    "basemap": ("底图", "Basemap"),
    "thematic": ("专题图", "Thematic map"),
    "thematic_none": ("按赛道着色地块", "Parcels by sector"),
    "thematic_land": ("片区 Σ占地（亩）", "Zones by Σ land (mu)"),
    "thematic_output": ("片区 Σ产值目标（亿元）", "Zones by Σ output target (100 M CNY)"),
    "thematic_per_mu": ("片区 亩均产值（万元/亩）", "Zones by output per mu (10k CNY/mu)"),
    "thematic_layer": ("专题图层（分级着色的片区）", "Thematic layer (zones classified)"),
    "reset": ("重置筛选", "Reset filters"),
    "count": ("项目数", "Projects"),
    "land_sum": ("Σ占地（亩）", "Σ land (mu)"),
    "output_sum": ("Σ产值目标（亿元）", "Σ output target (100 M CNY)"),
    "per_mu": ("亩均产值（万元/亩）", "Output per mu (10k CNY/mu)"),
    "per_mu_help": ("仅计同时有占地与产值目标的项目", "Only projects with both land and output target"),
    "with_land": ("有占地数据", "with land area"),
    "tab_map": ("地图", "Map"),
    "tab_table": ("项目表", "Projects"),
    "tab_charts": ("统计图表", "Charts"),
    "tab_targets": ("指标目标", "Targets"),
    "tab_export": ("导出快照", "Export"),
    "export_title": ("导出当前选择（图层快照）", "Export the current selection (layer snapshot)"),
    "export_hint": ("与地图相同的筛选：地块、片区与项目三层，附元数据（时间、筛选条件、坐标系、数据版本、数量与合计）。",
                    "Same filter as the map: parcels, zones and projects, with metadata (time, filter, CRS, data version, counts, totals)."),
    "export_format": ("格式", "Format"),
    "export_crs": ("坐标系", "Coordinate system"),
    "export_fmt_geojson": ("GeoJSON（压缩包）", "GeoJSON (zip)"), "export_fmt_gpkg": ("GeoPackage", "GeoPackage"),
    "export_fmt_shp": ("ESRI Shapefile（压缩包）", "ESRI Shapefile (zip)"),
    "export_fmt_kml": ("KML（Google Earth / 奥维）", "KML (Google Earth / Ovi)"),
    "export_fmt_csv": ("CSV（WKT 与 x/y 坐标，压缩包）", "CSV (WKT + x/y, zip)"), "export_fmt_xlsx": ("Excel 表格", "Excel"),
    "export_fmt_html": ("HTML 地图（单个文件）", "HTML map (self-contained)"),
    "export_make": ("生成快照", "Make snapshot"),
    "export_done": ("已生成", "Written"),
    "export_failed": ("导出失败", "Export failed"),
    "download": ("下载", "Download"),
    "history": ("快照历史", "Snapshot history"),
    "history_pick": ("选择快照", "Snapshot"),
    "history_empty": ("还没有保存的快照。", "No saved snapshots yet."),
    "snapshot_skipped": ("快照附属文件 {file} 未列出：{why}", "Snapshot sidecar {file} not listed: {why}"),
    "snapshot_skipped_more": ("另有 {n} 个快照附属文件未列出（无法使用）", "{n} more snapshot sidecars not listed (unusable)"),
    "compare_failed": ("比较失败", "Comparison failed"),
    "compare_a": ("比较：旧", "Compare: older"),
    "compare_b": ("比较：新", "Compare: newer"),
    "compare": ("比较两个快照", "Compare the two snapshots"),
    "no_differences": ("两个快照没有差异。", "The two snapshots do not differ."),
    "tab_about": ("数据说明", "About the data"),
    "parcels": ("地块（按赛道）", "Parcels (by sector)"),
    "parcels_thematic": ("地块", "Parcels"),
    "points": ("点位", "Points"),
    "not_located": ("未定位（规划未给出位置）", "Not located (no site in the plan)"),
    "legend_sector": ("地块赛道", "Parcel sector"),
    "legend_precision": ("虚线 = 示意/近似几何；实线 = 测绘/数字化", "Dashed = schematic/approximate; solid = surveyed/digitised"),
    "details": ("要素详情", "Feature details"),
    "click_hint": ("点击地图上的地块或片区查看详情", "Click a parcel or zone on the map to see its details"),
    "download_csv": ("下载当前项目表（CSV）", "Download the current project table (CSV)"),
    "table_page": ("页码", "Page"),
    "table_paged": ("第 {a:,}–{b:,} 行，共 {n:,} 行（筛选可缩小范围；CSV 下载含全部行）",
                    "Rows {a:,}–{b:,} of {n:,} (filter to narrow; the CSV download has every row)"),
    "by_sector": ("按赛道", "By sector"),
    "by_zone": ("按片区", "By zone"),
    "metric": ("指标", "Measure"),
    "targets_title": ("规划指标：基期与目标", "Plan indicators: baseline and target"),
    "indicator": ("指标", "Indicator"),
    "baseline": ("基期", "Baseline"),
    "target": ("目标", "Target"),
    "inconsistencies": ("规划自身的不一致（表格合计 ≠ 文中总数）", "Where the plans disagree with themselves (table sum ≠ stated total)"),
    "table_sum": ("表格合计", "Table sum"),
    "stated": ("文中数值", "Stated"),
    "agrees": ("一致", "agrees"),
    "disagrees": ("不一致", "disagrees"),
    "geometry_note": ("几何来源", "Geometry"),
    "schematic_warning": ("示意几何：位置与形状来自规划文字描述或按规划亩数绘制，并非测绘边界。",
                          "Schematic geometry: position and shape follow the plan's words or its 亩 figure; not a surveyed boundary."),
    "approx_warning": ("近似几何：以参考地名库点位为中心的名义范围，并非边界。",
                       "Approximate geometry: a nominal extent around a gazetteer point, not a boundary."),
    "render_time": ("地图生成耗时", "Map built in"),
    "tiles_building": ("正在生成地块矢量瓦片（数据变化后首次需要；大数据量需数分钟）…",
                       "Building the parcel vector tiles (needed once after the data changed; minutes for a large layer)…"),
    "all": ("全部", "All"),
    "unit_mu": ("亩", "mu"),
    "unit_yi": ("亿元", "100 M CNY"),
    "missing": ("—（规划未给出）", "— (not given in the plan)"),
    "feature_count": ("要素", "features"),
    "view_link": ("当前视图链接已写入地址栏，可直接复制分享。", "The address bar holds this view: copy it to share."),
    "data_errors": ("数据校验发现错误", "Data validation found errors"),
    # ---- the app's frame and pages (ui/)
    "page_title": ("科学城规划一张图 · Science City Planning Map", "科学城规划一张图 · Science City Planning Map"),
    "language_name": ("中文", "English"),
    "tianditu_needs_key": ("天地图需要开发者密钥：请设置环境变量 TIANDITU_KEY 或 Streamlit secrets 中的 tianditu_key。",
                           "Tianditu needs a key: set TIANDITU_KEY or tianditu_key in Streamlit secrets."),
    "url_bad_range": ("已忽略链接中的 {param}={value!r}：应为 100~500 这样的范围",
                      "ignored {param}={value!r} in the link: not a range like 100~500"),
    "url_bad_basemap": ("已忽略链接中的 base={value!r}：没有这个底图", "ignored base={value!r} in the link: unknown basemap"),
    "url_bad_item": ("已忽略链接中的 {param}={value!r}：没有这一项", "ignored {param}={value!r} in the link: no such item"),
    "url_bad_view": ("已忽略链接中的地图视图：不是数字", "ignored the map view in the link: not numbers"),
    "err_left_out": ("技术细节从略，见服务器日志", "details in the server log"),
    "page_failed": ("出错了，这部分页面未能显示（{what}：{why}）。请刷新页面；如仍出错，请将此信息告知系统管理员。",
                    "Something went wrong and this part of the page could not be shown ({what}: {why}). Reload the "
                    "page; if it happens again, tell the administrator this message."),
    "url_bad_number": ("已忽略链接中的 {param}={value!r}：应为不小于 0 的有限数字",
                       "ignored {param}={value!r} in the link: not a finite number ≥ 0"),
    "contact_problem": ("招商联系方式文件有误，推介单中已略去：{problem}",
                        "the contact file has a problem, left out of the fact sheets: {problem}"),
    "zone_option": ("{zh}", "{en} · {zh}"),
    "sector_option": ("{mark} {zh}", "{mark} {en} · {zh}"),
    "chart_group": ("赛道大类", "Sector group"),
    "check_id": ("核对项", "Check"),
    "check_description": ("内容", "What is checked"),
    "check_result": ("结果", "Result"),
    "check_source": ("文中出处", "Where the plan states it"),
    "geometry_count": ("数量", "Count"),
    "confidence_high": ("高", "high"),
    "confidence_medium": ("中", "medium"),
    "confidence_low": ("低", "low"),
    "confidence_none": ("无", "none"),
    "crs_name_EPSG:4326": ("WGS84 经纬度", "WGS84"),
    "crs_name_EPSG:4490": ("CGCS2000 经纬度", "CGCS2000"),
    "crs_name_EPSG:4544": ("CGCS2000 3度带高斯–克吕格（中央经线 105°E）", "CGCS2000 3-degree GK CM105E"),
    "crs_name_GCJ02": ("GCJ-02（高德坐标）", "GCJ-02 (Gaode/Amap)"),
    "promo_title": ("招商推介：为企业匹配地块", "Investment promotion: parcels for a prospective firm"),
    "promo_firm": ("企业名称", "Firm"),
    "promo_sector_text": ("企业行业 / 业务（自由填写）", "Firm's business (free text)"),
    "promo_sector_hint": ("例如：半导体芯片设计、生物医药研发 …", "e.g. IC design, biomedical R&D …"),
    "promo_sectors": ("或选择规划赛道", "or pick the plans' sectors"),
    "promo_mu_min": ("用地需求下限（亩）", "Land need from (mu)"),
    "promo_mu_max": ("用地需求上限（亩）", "Land need to (mu)"),
    "promo_districts": ("偏好区县或功能区", "Preferred districts or functional areas"),
    "promo_zones": ("偏好片区 / 镇街", "Preferred zones or towns"),
    "promo_near_metro": ("靠近轨道站点", "Near a metro station"),
    "promo_near_univ": ("靠近高校", "Near a university"),
    "promo_bonded": ("位于综合保税区", "Inside the bonded zone"),
    "promo_results": ("匹配结果（按匹配度排序）", "Matches (best first)"),
    "promo_top": ("#{rank} {name}（{score}）", "#{rank} {name} ({score})"),
    "promo_pick": ("选择地块生成推介资料", "Parcels for the fact sheet"),
    "promo_html": ("下载推介资料（HTML）", "Download fact sheet (HTML)"),
    "promo_pdf": ("生成 PDF", "Make PDF"),
    "promo_pdf_dl": ("下载推介资料（PDF）", "Download fact sheet (PDF)"),
    "promo_no_parcels": ("没有可匹配的地块", "No parcels to match"),
    "promo_link": ("当前企业画像与所选地块已写入地址栏，复制即可分享。",
                   "The address bar holds this profile and the chosen parcels: copy it to share."),
    "promo_rank": ("排名", "Rank"),
    "promo_id": ("编号", "ID"),
    "promo_name": ("名称", "Name"),
    "promo_score": ("匹配度", "Score"),
    "promo_reasons": ("理由", "Why"),
    "edit_title": ("数据维护：导入测绘边界与数字化", "Boundaries: import surveyed files, digitise"),
    "edit_import": ("导入文件", "Import a file"),
    "edit_upload": ("GeoJSON / 压缩 Shapefile / GeoPackage / KML / KMZ / CSV / DXF（≤ 50 MB）",
                    "GeoJSON / zipped Shapefile / GeoPackage / KML / KMZ / CSV / DXF (≤ 50 MB)"),
    "edit_drop_hint": ("将文件拖放到此处，或点击选择文件", "Drop a file here, or click to choose one"),
    "edit_layer": ("写入图层", "Layer"),
    "edit_layer_parcels": ("项目地块", "Project parcels"),
    "edit_layer_zones": ("规划片区", "Plan zones"),
    "edit_crs": ("坐标系", "CRS"),
    "edit_auto": ("自动识别", "detect"),
    "edit_review": ("逐要素检查（勾选要保存的要素）", "Review (tick the features to store)"),
    "edit_save": ("保存所选要素", "Store the ticked features"),
    "edit_saved": ("已保存", "Stored"),
    "edit_conflict": ("保存被拒绝", "Not stored"),
    "edit_digitise": ("在地图上数字化", "Digitise on the map"),
    "edit_target": ("要数字化的项目地块", "Project whose parcel you draw"),
    "edit_draw_hint": ("用左侧多边形工具绘制边界，双击或点击起点结束。",
                       "Draw the outline with the polygon tool; click the first point to finish."),
    "edit_area": ("绘制面积", "Drawn area"),
    "edit_plan": ("规划面积", "Plan area"),
    "edit_save_drawn": ("保存为数字化边界", "Store as digitised boundary"),
    "edit_history": ("修改记录", "History"),
    "edit_change": ("要撤销的修改", "Change to undo"),
    "edit_undo": ("撤销所选修改", "Undo the selected change"),
    "edit_undone": ("已撤销", "Undone"),
    "edit_nothing": ("没有勾选可保存的要素", "No feature ticked"),
    "edit_crs_used": ("使用坐标系", "CRS used"),
    "colon": ("：", ": "),
    "edit_invalid": ("绘制的图形无效（自相交），已修复为有效多边形", "The drawing self-intersects: repaired to a valid polygon"),
    "edit_recovered": ("存储已自动恢复", "The store recovered"),
    # ---- sign-in, roles and the audit trail (ui.auth, ui.audit_view)
    "mode_audit": ("审计日志", "Audit trail"),
    "mode_signin": ("登录", "Sign in"),
    "auth_title": ("请登录", "Please sign in"),
    "auth_explain": ("本系统使用统一身份认证。登录后可使用规划浏览与招商推介；数据维护需要“编辑”角色，审计日志需要“管理员”角色。",
                     "This system uses the bureau's single sign-on. Signed in, you can use the planning map and "
                     "investment promotion; boundaries need the editor role, the audit trail the admin role."),
    "auth_login": ("登录", "Sign in"),
    "auth_logout": ("退出登录", "Sign out"),
    "auth_signed_in": ("已登录：{name}（{roles}）", "Signed in: {name} ({roles})"),
    "auth_local": ("本地单用户编辑模式：未登录，身份未经验证，修改记为 {name}",
                   "Local single-user editing mode: nobody signed in, the identity is not verified; changes are "
                   "recorded as {name}"),
    "auth_anonymous": ("未配置统一身份认证：仅可浏览", "No sign-in configured: viewing only"),
    "auth_roles_problem": ("角色文件无法读取，已按“浏览”角色处理（原因见服务器日志）",
                           "The roles file cannot be read: treated as viewer (the reason is in the server log)"),
    "role_viewer": ("浏览", "viewer"), "role_planner": ("规划", "planner"), "role_promoter": ("招商", "promoter"),
    "role_editor": ("编辑", "editor"), "role_admin": ("管理员", "admin"),
    "edit_readonly_nosignin": ("数据维护为只读：本系统未配置统一身份认证，无法确认操作人。如由一人在单机上维护，"
                               "请系统管理员开启本地编辑模式（见说明文档）。",
                               "Boundaries are read-only: no sign-in is configured, so nobody's identity can be "
                               "confirmed. For one person editing on one machine, the administrator can switch on "
                               "the local editing mode (SCIMAP_LOCAL_EDITING=1, see the README)."),
    "edit_readonly_role": ("数据维护为只读：你的角色（{roles}）不含“编辑”。",
                           "Boundaries are read-only: your roles ({roles}) do not include editor."),
    "audit_not_recorded": ("操作已完成，但未能写入审计日志（原因见服务器日志），请告知系统管理员。",
                           "Done, but NOT recorded in the audit trail (the reason is in the server log): tell the "
                           "administrator."),
    "audit_title": ("审计日志", "Audit trail"),
    "audit_hint": ("每次导入、保存、撤销、导出、生成资料卡与登录均自动留痕；每条记录以哈希与上一条相连，篡改、删除或调序均可发现。",
                   "Every import, save, undo, export, fact sheet and sign-in is recorded; each record is chained to "
                   "the one before by its hash, so an altered, removed or reordered record is found."),
    "audit_ok": ("记录链完整：共 {n} 条，未发现篡改、删除或调序。", "The chain holds: {n} records, none altered, removed or reordered."),
    "audit_broken": ("记录链被破坏：第 {line} 行{record}：{why}", "The chain is broken at line {line}{record}: {why}"),
    "audit_record": ("（第 {seq} 条记录）", " (record {seq})"),
    "audit_problem_altered": ("记录被改动（哈希与内容不符）", "the record was altered (its hash does not match its content)"),
    "audit_problem_order": ("此处应为第 {expected} 条：有记录被删除或调序", "record {expected} is expected here: records were removed or reordered"),
    "audit_problem_chain": ("与上一条记录不相连（链被破坏）", "it does not follow the record before it (the chain is broken)"),
    "audit_problem_damaged": ("无法读取（损坏或被截断）", "unreadable (damaged or cut short)"),
    "audit_problem_foreign": ("不是审计记录", "not an audit record"),
    "audit_since": ("起始日期", "From date"),
    "audit_empty": ("尚无记录", "No records yet"),
    "audit_download_jsonl": ("下载审计日志（JSON Lines，含哈希链）", "Download the audit trail (JSON Lines, with the hash chain)"),
    "audit_download_csv": ("下载所示记录（CSV）", "Download the records shown (CSV)"),
    "audit_verified_yes": ("已验证", "verified"), "audit_verified_no": ("未验证", "not verified"),
    # --- the planning map's selection, ranges and not-located list (issue 12)
    "unlocated_list": ("未定位的规划要素（{n}）：规划只给出名称，列出其所属上级",
                       "Not located ({n}): the plans name them without a position; their parent is listed"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "col_name": ("名称", "Name"),
    "col_id": ("编号", "ID"),
    "col_parent": ("所属上级", "Parent"),
    "col_parent_located": ("上级已定位", "Parent located"),
    "range_from": ("最小", "From"),
    "range_to": ("最大", "To"),
    "range_typed": ("输入数值", "Type numbers"),
    "district_area": ("区县与功能区", "District or functional area"),
    "area_functional": ("功能区", "functional area"),
    "without_district": ("{n} 项未定位到区县（规划未写明区县、也无已定位的片区或地块），按区县筛选时不含在内",
                         "{n} projects have no district (the plan names none and they have no located zone or "
                         "parcel): a district filter leaves them out"),
    "url_bad_thematic_layer": ("链接中的专题图层“{value}”不存在，已改用默认图层",
                               "The link's thematic layer “{value}” does not exist: the default layer is used"),
    "tabs": ("视图", "Views"),
    "reach_note": ("筛选涉及 {k} / {n} 个片区：{names}；其余 {rest} 个已淡化",
                   "The filter reaches {k} of {n} zones: {names}; the other {rest} are faded"),
    "and_more": (" 等另 {n} 个", " and {n} more"),
    "fit_note": ("地图已缩放到筛选结果（{n} 个地块、{z} 个片区）", "The map is fitted to the selection ({n} parcels, {z} zones)"),
}

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "project_id": ("编号", "ID"), "zone_id": ("编号", "ID"), "name_zh": ("名称", "Name (zh)"),
    "name_en": ("英文名", "Name"), "kind": ("类型", "Kind"), "sector_zh": ("赛道/行业", "Sector (zh)"),
    "sector_en": ("赛道（英）", "Sector"), "sector_group_zh": ("赛道大类", "Sector group (zh)"),
    "sector_group_en": ("赛道大类（英）", "Sector group"), "region_zh": ("所属区域（原文）", "Location as printed"),
    "zone_name_zh": ("所在片区", "Zone (zh)"), "zone_name_en": ("所在片区（英）", "Zone"),
    "function_zh": ("建设功能", "Function (zh)"), "function_en": ("建设功能（英）", "Function"),
    "land_mu": ("占地面积（亩）", "Land (mu)"), "land_mu_text": ("占地（原文）", "Land as printed"),
    "land_note": ("占地说明", "Land note"), "area_mu": ("地块图形面积（亩）", "Parcel geometry area (mu)"),
    "output_target_yi": ("产值目标（亿元）", "Output target (100 M CNY)"),
    "output_target_text": ("产值（原文）", "Output as printed"), "target_year": ("目标年份", "Target year"),
    "output_per_mu_wan": ("亩均产值（万元/亩）", "Output per mu (10k CNY/mu)"),
    "floor_area_m2": ("建筑面积（m²）", "Floor area (m²)"), "investment_yi": ("投资（亿元）", "Investment (100 M CNY)"),
    "district": ("区县", "District"), "district_zh": ("区县", "District"), "district_pip": ("所在区县（按位置）", "District (by position)"),
    "districts": ("区县", "Districts"), "layout": ("空间布局", "Layout"), "role_zh": ("布局角色", "Role (zh)"),
    "district_how": ("区县依据", "District from"), "areas": ("功能区", "Functional areas"),
    "role_en": ("布局角色（英）", "Role"), "sectors_zh": ("规划功能", "Planned functions"),
    "geometry_source": ("几何来源", "Geometry source"), "position_method": ("定位方式", "Positioned by"),
    "position_confidence": ("定位可信度", "Position confidence"), "position_note": ("定位说明", "Position note"),
    "position_source": ("定位依据", "Position source"), "extent_method": ("范围画法", "Extent"),
    "placement_note": ("图形说明", "Geometry note"), "source_doc": ("来源文件", "Source document"),
    "source_ref": ("来源表格/章节", "Table or section"), "quote_zh": ("原文摘录", "Quote from the plan"),
    "notes": ("备注", "Notes"), "area_mu_plan": ("规划面积（亩）", "Plan area (mu)"),
    "parcel_geometry_source": ("地块几何来源", "Parcel geometry source"),
    # ---- columns of the app's other tables (targets, sources, snapshots, store history, import review)
    "indicator_id": ("指标编号", "Indicator ID"), "indicator_zh": ("指标", "Indicator (zh)"),
    "indicator_en": ("指标（英）", "Indicator"), "scope_zh": ("范围", "Scope"), "unit_zh": ("单位", "Unit"),
    "year": ("年份", "Year"), "value": ("数值", "Value"), "value_text": ("数值（原文）", "Value as printed"),
    "value_kind": ("数值类型", "Value kind"), "comparator": ("比较", "Comparator"), "unit_en": ("单位（英）", "Unit"),
    "layer": ("图层", "Layer"), "sector": ("赛道/行业", "Sector"), "series": ("指标（单位）", "Indicator (unit)"),
    "seed_file": ("原文文件", "Plan text file"), "title_zh": ("标题", "Title (zh)"), "title_en": ("标题（英）", "Title"),
    "issuer_zh": ("发布机关", "Issued by"), "doc_number": ("文号", "Document number"), "date_issued": ("发布日期", "Issued"),
    "period": ("规划期", "Period"), "file": ("文件", "File"), "created": ("生成时间", "Created"), "format": ("格式", "Format"),
    "crs": ("坐标系", "CRS"), "filter": ("筛选条件", "Filter"), "parcels": ("地块", "Parcels"), "zones": ("片区", "Zones"),
    "projects": ("项目", "Projects"), "data_version": ("数据版本", "Data version"), "id": ("编号", "ID"),
    "change": ("变化", "Change"), "attributes": ("变化的属性", "Changed attributes"), "change_id": ("修改编号", "Change"),
    "when": ("时间", "When"), "who": ("操作人", "Who"), "action": ("操作", "Action"), "target_id": ("对象编号", "Target"),
    "undoes": ("撤销的修改", "Undoes"), "note": ("说明", "Note"), "store": ("保存", "Store"), "feature": ("要素", "Feature"),
    "source_id": ("文件中的编号", "ID in the file"), "source_name": ("文件中的名称", "Name in the file"),
    "match_id": ("匹配到", "Matched to"), "match_method": ("匹配方式", "Matched by"), "plan_mu": ("规划面积（亩）", "Plan area (mu)"),
    "problems": ("问题", "Problems"), "acceptable": ("可保存", "Acceptable"),
    # ---- the audit trail's records and their details (ui.audit_view)
    "seq": ("序号", "No."), "verified": ("身份验证", "Identity"), "client": ("来源地址", "From"),
    "details": ("内容", "Details"), "ids": ("要素编号", "Features"), "changes": ("修改编号", "Changes"),
    "sha256": ("文件摘要（SHA-256）", "File SHA-256"), "via": ("途径", "Via"), "as": ("填写的操作人", "Name given"),
    "roles": ("角色", "Roles"), "counts": ("数量", "Counts"), "lang": ("语言", "Language"),
    "forwarded_for": ("代理转发地址", "Forwarded for"), "issuer": ("身份提供方", "Identity provider"),
    "undo_change": ("撤销记录编号", "Undo change"), "token_issued_at": ("令牌签发时间", "Token issued at"),
    "download": ("下载", "Download"), "records": ("记录数", "Records"),
}

GEOMETRY_SOURCE_LABELS = {
    "surveyed": ("测绘边界", "surveyed"), "digitised": ("人工数字化", "digitised"),
    "gazetteer": ("地名库近似", "approximate (gazetteer)"), "schematic": ("示意", "schematic"),
}


MAP: dict[str, tuple[str, str]] = {
    "fullscreen": ("全屏", "Full screen"), "fullscreen_exit": ("退出全屏", "Exit full screen"),
    "measure_locale": ("cn", "en"),  # leaflet-measure's bundled translations
    "zoom_in": ("放大", "Zoom in"), "zoom_out": ("缩小", "Zoom out"),
    "density": ("{layer} · 密度 ({n})", "{layer} · density ({n})"),
    "density_cell": ("{n} 块地块", "{n} parcels"),
    "tiled": ("{layer} · 矢量瓦片 ({n})", "{layer} · vector tiles ({n})"),
    "tiled_density": ("缩小时：地块数 / 网格（{z} 级起显示地块）", "Zoomed out: parcels per cell (parcels from zoom {z})"),
    "density_sum": ("Σ {mu} 亩", "Σ {mu} mu"),
    "density_legend": ("地块数 / {cell} m 网格（放大查看地块）", "Parcels per {cell} m cell (zoom in for parcels)"),
    "jenks": ("{title} · 自然断点分级", "{title} · Natural Breaks (Jenks)"),
    "pois": ("站点与高校", "Stations and universities"),
    "university": ("高校（近似位置）", "university (approximate)"),
    "matches": ("匹配地块", "Matching parcels"),
    "score": ("匹配度 {score}", "score {score}"),
    "reasons": ("匹配理由", "Why it matches"),
    "legend": ("图例", "Legend"),
    "legend_layers": ("规划图层", "Plan layers"),
    "legend_lines": ("线型（几何精度）", "Line styles (geometry precision)"),
    "legend_solid": ("实线：测绘或人工数字化边界", "Solid: surveyed or digitised boundary"),
    "legend_dashed": ("虚线：近似位置（地名库或示意范围）", "Dashed: approximate (gazetteer or schematic extent)"),
    "legend_at_parent": ("未定位，示于上级片区位置", "Not located, shown at its parent's place"),
    "at_parent": ("未定位，示于上级「{parent}」位置", "Not located, shown at its parent {parent}"),
}

SHEET: dict[str, tuple[str, str]] = {
    "title": ("地块推介资料", "Parcel fact sheet"),
    "subtitle": ("西部（重庆）科学城 · 科学城规划一张图", "Western (Chongqing) Science City · Science City Planning Map"),
    "zone": ("所在片区", "Zone"), "layout": ("空间布局角色", "Role in the layout"),
    "function": ("规划用途", "Intended use (plan)"), "sector": ("赛道", "Sector"), "district": ("区县", "District"),
    "output": ("产值目标", "Output target"), "per_mu": ("亩均产值目标", "Target output per mu"),
    "year": ("目标年份", "Target year"), "stations": ("最近的轨道站点", "Nearest rail stations"),
    "universities": ("最近的高校", "Nearest universities"), "nearby": ("周边规划项目（3 公里内）", "Planned projects nearby (within 3 km)"),
    "sources": ("规划依据", "Plan sources"), "precision": ("几何精度", "Geometry precision"),
    "contact": ("联系我们", "Contact"), "missing": ("规划未给出", "not given in the plan"),
    "legend_parcel": ("本地块", "This parcel"), "legend_other": ("其他规划地块", "Other planned parcels"),
    "legend_zone": ("规划片区（近似范围）", "Planned zones (approximate)"), "legend_station": ("轨道站点", "Rail station"),
    "legend_univ": ("高校（近似位置）", "University (approximate)"), "generated": ("生成时间", "Generated"),
    "distance_note": ("距离为地块边界到站点的直线距离，按 CGCS2000 高斯–克吕格投影计算。",
                      "Distances are straight lines from the parcel boundary, computed in the CGCS2000 Gauss–Krüger plane."),
    "schematic": ("本地块图形为示意：位置依据规划文字描述，面积按规划亩数绘制，并非测绘边界。实际用地边界以规划和自然资源部门为准。",
                  "This parcel outline is schematic: its position follows the plan's description and its size the plan's "
                  "figure in mu; it is not a surveyed boundary. The planning authority holds the actual boundary."),
    "surveyed": ("本地块图形来自测绘或数字化边界。", "This parcel outline comes from a surveyed or digitised boundary."),
    "quote": ("原文", "Plan text"),
    "output_value": ("{v} 亿元", "{v} × 100 M CNY"),
    "per_mu_value": ("{v} 万元/亩", "{v} × 10k CNY/mu"),
    "area_value": ("{mu} 亩 · {m2} m²", "{mu} mu · {m2} m² ({ha} ha)"),
    "area_note": ("（{note}）", " ({note})"),
    "footer": ("科学城规划一张图 · Science City Planning Map", "科学城规划一张图 · Science City Planning Map"),
}

REASONS: dict[str, tuple[str, str]] = {  # filled by `both`: every reason is stored in both languages
    "sector_fit": ("赛道匹配：规划用途“{why}”", "sector fit: the plan intends “{why}” ({sector_en})"),
    "sector_mismatch": ("赛道不符：规划用途为“{use_zh}”", "sector mismatch: the plan intends “{use_en}”"),
    "area_within": ("面积 {mu} 亩，在需求 {need} 亩之内", "area {mu} mu is within the need of {need} mu"),
    "area_outside": ("面积 {mu} 亩，需求 {need} 亩", "area {mu} mu against a need of {need} mu"),
    "in_area": ("位于偏好区域：{where_zh}", "inside the preferred area: {where_en}"),
    "near_area": ("距偏好区域 {d}", "{d} from the preferred area"),
    "bonded_in": ("位于综合保税区（近似范围）", "inside the bonded zone (approximate extent)"),
    "bonded_out": ("不在综合保税区内", "outside the bonded zone"),
    "metro": ("最近地铁站 {name} {d}", "nearest metro station {name} {d}"),
    "university": ("最近高校 {name} {d}（校区位置为近似）", "nearest university {name} {d} (campus position approximate)"),
    "schematic": ("地块图形为示意（按规划亩数绘制），实际边界以规划部门为准",
                  "the parcel outline is schematic (sized to the plan's mu); the planning bureau holds the boundary"),
    "list_sep": ("、", ", "),
    "reason_sep": ("；", "; "),
}

BASEMAP_TITLES: dict[str, tuple[str, str]] = {
    "gaode": ("高德地图（街道）", "Gaode/Amap street"),
    "gaode_sat": ("高德地图（影像）", "Gaode/Amap satellite"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "tianditu": ("天地图（矢量）", "Tianditu vector"),
    "tianditu_img": ("天地图（影像）", "Tianditu imagery"),
    "none": ("无底图（离线 / 内网）", "No basemap (offline / intranet)"),
}

# ---- data values shown in the UI language (popups, details, tables): enumerations keyed "field:value",
# district and layout names, and the generated notes and messages written as English templates.

VALUES: dict[str, tuple[str, str]] = {
    "kind:platform": ("平台", "platform"), "kind:project": ("项目", "project"), "kind:institution": ("机构", "institution"),
    "kind:park": ("园区", "park"), "kind:base": ("基地", "base"), "kind:facility": ("设施", "facility"),
    "kind:building": ("楼宇", "building"), "kind:street": ("街区", "street"),
    "district_how:plan": ("规划写明（本区规划或所属区域）", "stated by the plan (the district's own plan or its location)"),
    "district_how:zone": ("由所在片区推定", "from its zone (printed district or where the zone is placed)"),
    "district_how:geometry": ("按地块位置", "from its parcel's position"),
    "position_method:derived": ("由所属片区推定", "derived from its parent zone"),
    "position_method:not located": ("未定位", "not located"),
    "position_method:gazetteer": ("地名库点位", "gazetteer point"),
    "position_method:station": ("轨道站点", "rail station"),
    "position_method:district": ("区县边界", "district boundary"),
    "position_confidence:high": ("高", "high"), "position_confidence:medium": ("中", "medium"),
    "position_confidence:low": ("低", "low"), "position_confidence:none": ("无", "none"),
    "extent_method:point": ("点", "point"),
    "extent_method:not located (point at its parent)": ("未定位（点位取其上级片区）", "not located (point at its parent)"),
    "extent_method:convex hull of its member places' approximate extents": (
        "其所含地点近似范围的凸包", "convex hull of its member places' approximate extents"),
    "extent_method:polyline through the places the plan names (course not surveyed)": (
        "经过规划所列地点的折线（走向未经测绘）", "polyline through the places the plan names (course not surveyed)"),
    "extent_method:district boundary (Tianditu)": ("区县边界（天地图）", "district boundary (Tianditu)"),
    "extent_method:circle sized to the plan's 亩": ("按规划亩数绘制的圆", "circle sized to the plan's area in mu"),
    "extent_method:union of its segments": ("各段的合并", "union of its segments"),
    "placement_note:synthetic": ("合成数据", "synthetic"),
    "action:save": ("保存", "save"), "action:undo": ("撤销", "undo"),
    "action:import": ("导入", "import"), "action:export": ("导出", "export"),
    "action:factsheet": ("资料卡", "fact sheet"), "action:sign-in": ("登录", "sign-in"),
    "via:app": ("网页", "app"), "via:cli": ("命令行", "command line"),
    "layer:parcels": ("项目地块", "project parcels"), "layer:zones": ("规划片区", "plan zones"),
    "layer:projects": ("规划项目", "plan projects"), "layer:targets": ("规划指标", "plan targets"),
    "source_kind:plan": ("规划", "plan"), "source_kind:action plan": ("行动计划", "action plan"),
    "source_kind:implementation plan": ("实施方案", "implementation plan"),
    "change:added": ("新增", "added"), "change:removed": ("删除", "removed"), "change:changed": ("修改", "changed"),
    "value_kind:baseline": ("基期", "baseline"), "value_kind:target": ("目标", "target"),
    "match_method:none": ("无匹配", "none"), "match_method:ambiguous": ("有歧义", "ambiguous"),
    "match_method:id": ("编号", "ID"), "match_method:name": ("名称", "name"),
    "match_method:project_id": ("编号", "ID"), "match_method:zone_id": ("编号", "ID"),
}

PATTERNS: dict[str, tuple[str, str]] = {  # "field:name" → templates; the English one, read back
    # from the data's text (亩 read as mu), finds the values
    "extent_method:radius": ("名义半径 {r} m（范围未知）", "nominal radius {r} m (extent unknown)"),
    "placement_note:square": ("示意方形，按规划 {mu} 亩绘制，位于 {zone} 内",
                              "schematic square sized to the plan's {mu} mu, inside {zone}"),
    "placement_note:beside": ("片区容纳不下规划亩数：图形放在片区旁",
                              "zone too small for the plan's mu: footprint placed beside the zone"),
    "period:vision": ("{years}（远景展望至 {vision} 年）", "{years} (vision {vision})"),
    "period:to": ("至 {year} 年", "to {year}"),
    "date_issued:published": ("{date}（发布日期）", "{date} (published)"),
    "placement_note:stored": ("{source}，{when} 由 {who} 保存", "{source} boundary stored {when} by {who}"),
}

DISTRICTS: dict[str, tuple[str, str]] = {  # the districts layer's names (data/…/districts: name_en)
    "渝中区": ("渝中区", "Yuzhong District"), "大渡口区": ("大渡口区", "Dadukou District"),
    "江北区": ("江北区", "Jiangbei District"), "沙坪坝区": ("沙坪坝区", "Shapingba District"),
    "九龙坡区": ("九龙坡区", "Jiulongpo District"), "北碚区": ("北碚区", "Beibei District"),
    "渝北区": ("渝北区", "Yubei District"), "江津区": ("江津区", "Jiangjin District"),
    "璧山区": ("璧山区", "Bishan District"), "南岸区": ("南岸区", "Nan'an District"), "巴南区": ("巴南区", "Banan District"),
    "两江新区": ("两江新区", "Liangjiang New Area"),
}

LAYOUTS: dict[str, tuple[str, str]] = {  # a zone's spatial layout (the plans' own slogans; data/src/layers.csv)
    "一核双圈两片": ("一核双圈两片", "One core, two circles, two areas"),
    "两园两带": ("两园两带", "Two parks, two belts"),
    "六大特色产业集群": ("六大特色产业集群", "Six featured industry clusters"),
    "一轴三心多点": ("一轴三心多点", "One axis, three centres, many points"),
    "4类研发机构聚集区": ("4类研发机构聚集区", "Four kinds of R&D institution clusters"),
    "5大专业孵化集群": ("5大专业孵化集群", "Five specialised incubation clusters"),
    "一核多点": ("一核多点", "One core, many points"),
}

MESSAGES: dict[str, tuple[str, str]] = {  # import, store and export messages; "{file}: " prefixes are kept apart
    # the promoter's contact file (geo.io.contact)
    "contact_big": ("大于 {kb} KB，未读取", "larger than {kb} KB, not read"),
    "contact_json": ("无法按 UTF-8 JSON 读取", "cannot be read as UTF-8 JSON ({err})"),
    "contact_shape": ("是 JSON {kind}，不是对象", "is a JSON {kind}, not an object"),
    "contact_block": ("是 {kind}，不是包含 {keys} 的对象", "is {kind}, not an object of {keys}"),
    "contact_key": ("未知的键 {key}（应为 {keys}）", "unknown key {key} (use {keys})"),
    "contact_text": ("是 {kind}，不是文本", "is {kind}, not text"),
    # reading a file (geo.io.importer)
    "zip_slip": ("压缩包成员“{member}”指向包外（路径穿越）：已拒绝",
                 "zip member '{member}' points outside the archive (path traversal): refused"),
    "zip_unreadable": ("不是可读的 zip 压缩包", "not a readable zip archive ({err})"),
    "zip_bomb": ("解压后超过 {mb} MB：已拒绝", "unpacks to more than {mb} MB: refused"),
    "shp_parts": ("Shapefile {shp} 缺少 {missing}", "the Shapefile {shp} comes without {missing}"),
    "zip_empty": ("压缩包中没有 GeoJSON、GeoPackage、Shapefile、KML、CSV 或 DXF 文件",
                  "the archive holds no GeoJSON, GeoPackage, Shapefile, KML, CSV or DXF"),
    "csv_wkt": ("第 {row} 行：“{v}”不是 WKT", "row {row}: '{v}' is not WKT ({err})"),
    "csv_utf8": ("无法按 UTF-8 CSV 读取", "cannot be read as a UTF-8 CSV ({err})"),
    "csv_geometry": ("CSV 需要 WKT 列或经度/纬度（x/y）列", "a CSV needs a WKT column or lon/lat (x/y, 经度/纬度) columns"),
    "csv_numbers": ("第 {row} 行：“{x}”、“{y}”不是数字", "row {row}: '{x}', '{y}' are not numbers"),
    "json_invalid": ("不是有效的 JSON", "not valid JSON ({err})"),
    "unreadable": ("无法按 {fmt} 文件读取", "cannot be read as a {fmt} file ({err})"),
    "no_features": ("文件中没有要素", "holds no features"),
    "no_file": ("文件不存在", "no such file"),
    "file_empty": ("文件为空", "the file is empty"),
    "too_big": ("{size} MB，超过 {limit} MB 的上传上限", "{size} MB is over the {limit} MB upload limit"),
    "file_type": ("不支持的文件类型“{suffix}”（可用 {allowed}）", "unsupported file type '{suffix}' (use {allowed})"),
    "too_many": ("{n} 个要素，超过单次导入 {limit} 个的上限", "{n} features is over the {limit} limit of one import"),
    "crs_guess_failed": ("推测坐标系：{msg}；请明确选择坐标系", "guessed: {msg}; choose the CRS explicitly"),
    "crs_guessed": ("推测：{msg}", "guessed: {msg}"),
    "crs_none": ("没有可判断的坐标", "no coordinates to judge from"),
    "crs_lonlat": ("中国范围内的经纬度：按 WGS84/CGCS2000 读取（来自高德时请选 GCJ-02）",
                   "longitude/latitude in China: taken as WGS84/CGCS2000 (choose GCJ-02 if it came from Gaode)"),
    "crs_swapped": ("数值像（纬度, 经度）：已交换坐标轴", "values look like (latitude, longitude): axes swapped"),
    "crs_gk_zone": ("带号前缀的高斯–克吕格东坐标：CGCS2000 3度带第 {zone} 带",
                    "Gauss–Krüger easting with zone number {zone} prefixed: CGCS2000 3° zone {zone2}"),
    "crs_gk_cm105": ("无带号前缀的高斯–克吕格东坐标：按科学城所在的 CGCS2000 中央经线 105°E（EPSG:4544）读取；"
                     "重庆主城中部请选 EPSG:4545",
                     "Gauss–Krüger easting without zone prefix: taken as CGCS2000 CM 105°E (EPSG:4544), the "
                     "Science City's zone — choose EPSG:4545 for central Chongqing"),
    "crs_unknown": ("坐标 {c} 不符合任何已知坐标系", "coordinates {c} fit no known CRS"),
    "crs_user": ("由用户选择", "chosen by the user"),
    "crs_declared_swapped": ("文件声明为地理坐标，但数值像（纬度, 经度）：已交换坐标轴",
                             "declared geographic but the values look like (latitude, longitude): axes swapped"),
    "crs_declared": ("文件中声明", "declared in the file"),
    "crs_transform": ("无法从 {crs} 转换到 WGS84", "cannot transform from {crs} to WGS84 ({err})"),
    "heights": ("三维坐标：已去掉高程", "3D coordinates: heights dropped"),
    "far_away": ("按 {crs} 读取后要素位于 {bounds}，在重庆研究范围（{msg}）之外：坐标系选错了？",
                 "after reading as {crs} the features lie at {bounds}, outside Chongqing's study area ({msg}): wrong CRS?"),
    "study_area": ("东经 {x0}–{x1}°、北纬 {y0}–{y1}°，各规划所在区县", "{x0}–{x1}°E, {y0}–{y1}°N, the plans' districts"),
    "unknown_layer": ("未知图层“{layer}”：应为项目地块或规划片区", "unknown layer '{layer}': parcels or zones"),
    # reading within bounds (geo.io.import_worker, geo.io.upload, the worker's limits)
    "imp_remote": ("“{path}”指向远程或虚拟文件：只读取本地文件",
                   "'{path}' names a remote or virtual file: only local files are read"),
    "imp_member_ctrl": ("压缩包成员“{member}”的名称含控制字符：已拒绝",
                        "zip member '{member}' has control characters in its name: refused"),
    "imp_member_noname": ("压缩包中有成员没有名称：已拒绝", "a zip member has no name: refused"),
    "imp_member_blank": ("压缩包成员名称为空（“{member}”）：已拒绝", "a zip member has an empty name ('{member}'): refused"),
    "imp_member_encrypted": ("压缩包成员“{member}”已加密：已拒绝", "zip member '{member}' is encrypted: refused"),
    "imp_member_nested": ("压缩包成员“{member}”本身是压缩包：不解压嵌套的压缩包",
                          "zip member '{member}' is itself an archive: nested archives are refused"),
    "imp_member_same": ("压缩包成员“{a}”与“{b}”解压后同名：已拒绝",
                        "zip members '{a}' and '{b}' have the same name once unpacked: refused"),
    "imp_member_lies": ("压缩包成员“{member}”解压后超过其文件头声明的 {n} 字节：已拒绝",
                        "zip member '{member}' unpacks to more than the {n} bytes its header declares: refused"),
    "imp_member_damaged": ("压缩包成员“{member}”已损坏", "zip member '{member}' is damaged ({err})"),
    "imp_several": ("压缩包中有多个 {ext} 文件（{names}）：请逐个导入",
                    "the archive holds several {ext} files ({names}): import one at a time"),
    "imp_features": ("要素超过 {limit} 个：超过单次导入的上限", "more than {limit} features: over the limit of one import"),
    "imp_layers": ("图层超过 {limit} 个：超过单次导入的上限", "more than {limit} layers: over the limit of one import"),
    "imp_vertices": ("顶点总数超过 {limit} 个：超过单次导入的上限",
                     "more than {limit} vertices in all: over the limit of one import"),
    "imp_feature_vertices": ("第 {n} 个要素有 {k} 个顶点，超过单个边界 {limit} 个的上限",
                             "feature {n} has {k} vertices, over the limit of {limit} for one boundary"),
    "imp_row_vertices": ("第 {row} 行有 {k} 个顶点，超过单个边界 {limit} 个的上限",
                         "row {row} has {k} vertices, over the limit of {limit} for one boundary"),
    "imp_feature_vertices_more": ("第 {n} 个要素的顶点超过 {limit} 个：超过单个边界的上限",
                                  "feature {n} has more than {limit} vertices: over the limit for one boundary"),
    "imp_feature_nan": ("第 {n} 个要素的坐标不是数字（NaN 或无穷大）",
                        "feature {n} has coordinates that are not numbers (NaN or infinity)"),
    "imp_row_nan": ("第 {row} 行的坐标不是数字（NaN 或无穷大）",
                    "row {row} has coordinates that are not numbers (NaN or infinity)"),
    "imp_crs_link": ("其坐标系成员不是坐标系名称（类型“{kind}”）：不跟随链接的坐标系；请选择坐标系",
                     "its CRS member is not a CRS name (type '{kind}'): linked CRS are not followed; choose the CRS instead"),
    "imp_deep": ("嵌套超过 {limit} 层：已拒绝", "nested more than {limit} levels deep: refused"),
    "imp_timeout": ("读取超过 {s} 秒：已拒绝", "took longer than {s} s to read: refused"),
    "imp_memory": ("读取需要超过 {mb} MB 内存：已拒绝", "needs more than {mb} MB of memory to read: refused"),
    "imp_crashed": ("读取进程意外退出（退出状态 {code}），可能超出了 {mb} MB 的内存：已拒绝",
                    "the reader stopped unexpectedly (exit status {code}), perhaps out of its {mb} MB of memory: refused"),
    "imp_no_worker": ("无法启动读取进程", "the reader could not be started ({err})"),
    "imp_cannot_read": ("无法读取", "cannot be read ({err})"),
    "imp_cannot_check": ("无法检查", "cannot be checked ({err})"),
    # reviewing features (geo.io.importer, geo.core.storable, geo.core.geometry)
    "not_polygon": ("{gtype} 不能作为地块（只接受多边形）", "a {gtype} cannot be a parcel (polygons only)"),
    "stored_grid": ("按存储精度（{grid}° 网格）{msg}", "as stored (on a {grid}° grid) it {msg}"),
    "stored": ("按存储形式：{msg}", "as stored: {msg}"),
    "overlaps": ("与已保存的地块重叠：{ids}", "overlaps stored parcel(s) {ids}"),
    "wrong_district": ("位于{district}，应在{expected}", "lies in {district}, expected {expected}"),
    "area_diff": ("面积 {mu} 亩，与规划的 {plan} 亩相差 {diff}", "area {mu} mu differs from the plan's {plan} mu by {diff}"),
    "duplicate": ("{id} 在文件中出现多次", "{id} appears more than once in the file"),
    "no_match": ("没有匹配的项目", "no match"),
    "ambiguous": ("匹配有歧义：{cands}", "ambiguous: {cands}"),
    "no_geometry": ("没有几何图形", "has no geometry"),
    "has_no_geometry": ("没有几何图形", "it has no geometry"),
    "invalid": ("几何无效：{geos}", "invalid geometry: {geos}"),
    "swapped_coords": ("坐标 {c} 像（纬度, 经度）：经纬度颠倒？GeoJSON 的顺序是 [经度, 纬度]",
                       "coordinates {c} look like (lat, lon): lat/lon swapped? GeoJSON order is [longitude, latitude]"),
    "not_lonlat": ("坐标 {c} 不是经纬度（WGS84 文件中的投影坐标？）",
                   "coordinates {c} are not longitude/latitude (projected data in a WGS84 file?)"),
    "outside": ("位于重庆研究范围（{msg}）之外：范围 {c}", "lies outside Chongqing's study area ({msg}): bounds {c}"),
    # storing and undoing (geo.io.store)
    "bad_source": ("几何来源必须是 {allowed} 之一，而不是 {source}", "geometry_source must be one of {allowed}, not {source}"),
    "nothing": ("没有可保存的内容", "nothing to save"),
    "conflict": ("{name} 在你载入后已被他人修改（当前版本 {v}，你的版本 {b}）：请重新载入并检查",
                 "{name} was changed by someone else since you loaded it (version {v}, you had {b}): reload and review again"),
    "zone_layers": ("片区图层", "the zone layers"),
    "no_project": ("项目 {id} 不存在", "project {id} does not exist"),
    "no_change": ("修改记录中没有 {id}", "no change {id} in the history"),
    "undone": ("修改 {id} 已经撤销过", "change {id} was already undone"),
    "later": ("{id} 之后又被修改（{cid}）：请先撤销那次修改", "{id} was changed again later ({cid}): undo that first"),
    "zone_file": ("片区 {id} 不在任何图层文件中", "zone {id} is in no layer file"),
    "store_layer": ("未知图层 {layer}：应为 {allowed} 之一", "unknown layer {layer}: one of {allowed}"),
    "note_import": ("导入 {file}", "import {file}"),
    "note_digitised": ("在地图上数字化", "digitised on the map"),
    # the store's safety: vertices, history lines, journal and recovery (geo.core.storable, geo.io.store)
    "too_many_vertices": ("有 {n} 个顶点，超过单个要素可存储的 {limit} 个上限",
                          "has {n} vertices, more than the {limit} a stored feature may have"),
    "not_finite": ("坐标中有非有限数值", "has coordinates that are not finite numbers"),
    "os_enospc": ("磁盘空间不足", "No space left on device"),
    "os_eacces": ("没有权限", "Permission denied"),
    "os_erofs": ("文件系统只读", "Read-only file system"),
    "os_edquot": ("超出磁盘配额", "Disk quota exceeded"),
    "hist_unreadable": ("{file} 无法读取（{msg}）：不显示修改记录", "{file} cannot be read ({msg}): no history shown"),
    "hist_cut": ("{file} 第 {n} 行被截断（写入中断）：已跳过", "{file} line {n} is cut off (a write was interrupted): skipped"),
    "hist_utf8": ("{file} 第 {n} 行不是 UTF-8 文本：已跳过", "{file} line {n} is not UTF-8 text: skipped"),
    "hist_json": ("{file} 第 {n} 行不是有效的 JSON：已跳过", "{file} line {n} is not JSON ({err}): skipped"),
    "hist_kind": ("{file} 第 {n} 行是 JSON {kind}，不是修改记录：已跳过",
                  "{file} line {n} is a JSON {kind}, not a change record: skipped"),
    "hist_keys": ("{file} 第 {n} 行不是修改记录（{keys} 缺失或有误）：已跳过",
                  "{file} line {n} is not a change record (missing or wrong {keys}): skipped"),
    "hist_repeat": ("{file} 第 {n} 行重复了修改 {id}：已跳过", "{file} line {n} repeats change {id}: skipped"),
    "store_unreadable": ("{file} 无法读取（{msg}）：未做任何修改", "{file} cannot be read ({msg}): nothing was changed"),
    "store_not_fc": ("{file} 不是 GeoJSON 要素集合：未做任何修改",
                     "{file} is not a GeoJSON FeatureCollection: nothing was changed"),
    "store_lock": ("{file} 无法打开（{msg}）：未做任何修改", "{file} cannot be opened ({msg}): nothing was changed"),
    "store_lock_busy": ("{file} 被另一次修改占用超过 {n} 秒：未做任何修改，请重试",
                        "{file} is held by another change for more than {n} s: nothing was changed, try again"),
    "store_lock_fail": ("{file} 无法加锁（{msg}）：未做任何修改", "{file} cannot be locked ({msg}): nothing was changed"),
    "store_pending": ("有一次修改被中断，尚未完成（{file}）：请重新载入以完成",
                      "a change was interrupted and is not finished yet ({file}): reload to finish it"),
    "store_columns": ("修改需要 target_id 列和几何列", "the changes need a target_id and a geometry column"),
    "store_write_new": ("{what}：无法写入新内容（{msg}）：未做任何修改",
                        "{what}: cannot write the new content ({msg}): nothing was changed"),
    "store_write": ("{what}：无法写入 {file}（{msg}）：未做任何修改", "{what}: cannot write {file} ({msg}): nothing was changed"),
    "store_interrupted": ("修改被中断（{msg}）", "the change was interrupted ({msg})"),
    "undo_gone": ("{id} 已不在 {file} 中：修改 {cid} 未撤销", "{id} is no longer in {file}: change {cid} not undone"),
    "undo_undo": ("修改 {id} 本身是撤销：不能再撤销", "change {id} is an undo: it cannot be undone"),
    "undo_file": ("修改 {id} 指向的文件 {file} 不是本存储的文件：未撤销",
                  "change {id} names the file {file}, which is not a file of the store: not undone"),
    "undo_no_prev": ("修改 {id} 没有可恢复的原要素：未撤销", "change {id} holds no previous feature to restore: not undone"),
    "undo_prev_read": ("修改 {id}：原几何无法读取（{err}）：未撤销",
                       "change {id}: its previous geometry cannot be read ({err}): not undone"),
    "undo_prev_bad": ("修改 {id}：原几何{msg}：未撤销", "change {id}: its previous geometry {msg}: not undone"),
    "recover_finished": ("一次中断的修改（{ids}，{names}）已完成：数据与修改记录一致",
                         "an interrupted change ({ids}) of {names} was finished: data and history agree"),
    "recover_rolled_back": ("一次中断的修改（{ids}，{names}）已回滚：未做任何修改",
                            "an interrupted change ({ids}) of {names} was rolled back: nothing was changed"),
    "recover_stuck": ("一次中断的修改（{ids}）无法完成：{file} 在存储之外被改动，{journal} 已保留，请管理员处理",
                      "an interrupted change ({ids}) cannot be finished: {file} was changed outside the store, "
                      "{journal} is kept for an administrator"),
    "recover_bad_journal": ("{file} 无法读取（{err}）：已另存为 {bad}", "{file} cannot be read ({err}): set aside as {bad}"),
    "recover_swept": ("对 {names} 的一次保存在开始前被中断：其未完成的文件已删除，未做任何修改",
                      "a save of {names} was interrupted before it began: its unfinished files were removed, "
                      "nothing was changed"),
    "recover_unresolved": ("{file}：有一次中断的修改尚未解决", "{file}: an interrupted change is unresolved"),
    "recover_later": ("一次中断的修改暂时无法完成（{msg}）：{file} 已保留，下次修改或载入时再试",
                      "an interrupted change cannot be finished now ({msg}): {file} is kept and tried again on the "
                      "next change or load"),
    # the PostGIS store (geo.io.postgis, geo.io.pgschema): the database's URL is shown without its password
    "pg_bad_version": ("版本 {b} 不是本数据库的版本：请重新载入并检查",
                       "version {b} is not a version of this database: reload and review again"),
    "pg_unreachable": ("无法使用数据库 {url}（{err}）：未做任何修改", "the database {url} cannot be used ({err}): nothing was changed"),
    "pg_no_postgis": ("数据库 {url} 没有 PostGIS：请运行 python -m geo db init",
                      "the database {url} has no PostGIS: run python -m geo db init"),
    "pg_no_schema": ("数据库 {url} 中没有规划一张图的数据：请运行 python -m geo db init，再运行 python -m geo db load",
                     "the database {url} holds no planning map: run python -m geo db init, then python -m geo db load"),
    "pg_schema_version": ("数据库 {url} 的结构版本为 {v}，本程序读取版本 {w}",
                          "the database {url} holds schema version {v}, this program reads {w}"),
    "pg_cannot_add_postgis": ("数据库 {url} 没有 PostGIS 且无法添加（{err}）：请数据库管理员运行 CREATE EXTENSION postgis",
                              "the database {url} has no PostGIS and it cannot be added ({err}): ask its administrator "
                              "to run CREATE EXTENSION postgis"),
    "pg_schema_refused": ("数据库 {url} 拒绝创建结构（{err}）：未做任何修改",
                          "the database {url} refused the schema ({err}): nothing was changed"),
    "pg_busy": ("另一次修改占用数据库超过 {n} 秒：未做任何修改，请重试",
                "another change holds the database for more than {n} s: nothing was changed, try again"),
    "pg_refused": ("数据库拒绝了这次修改（{err}）：未做任何修改", "the database refused the change ({err}): nothing was changed"),
    "pg_hist_json": ("{hist} 第 {n} 行不是 JSON：已跳过", "{hist} row {n} is not JSON: skipped"),
    "pg_hist_keys": ("{hist} 第 {n} 行不是修改记录（{keys} 缺失或有误）：已跳过",
                     "{hist} row {n} is not a change record (missing or wrong {keys}): skipped"),
    "pg_hist_kind": ("{hist} 第 {n} 行是 JSON {kind}，不是修改记录：已跳过",
                     "{hist} row {n} is a JSON {kind}, not a change record: skipped"),
    # exporting (geo.io.export)
    "export_empty": ("所选内容为空：没有可导出的（请放宽筛选）", "the selection is empty: nothing to export (loosen the filter)"),
    "export_failed": ("{fmt} 导出失败", "{fmt} export failed: {err}"),
    "export_folder": ("输出文件夹 {out} 不可写", "the output folder {out} is not writable"),
    "export_folder_err": ("输出文件夹 {out} 不可写", "the output folder {out} is not writable: {err}"),
    "export_in_way": ("无法写入 {path}：该位置已有文件夹或其他非文件",
                      "cannot write {path}: a folder or another non-file is in the way"),
    "export_write": ("无法写入 {path}（{err}）", "cannot write {path}: {err}"),
    # reading snapshots back (geo.io.export.readback, geo.io.snapshots)
    "snap_not_plain": ("所指文件 {file} 不是快照文件夹中的普通文件名", "its file {file} is not a plain file name in the snapshot folder"),
    "snap_missing": ("所指文件 {file} 不存在", "its file {file} is missing"),
    "snap_link": ("所指文件 {file} 是符号链接：不提供下载", "its file {file} is a symbolic link: not served"),
    "snap_not_regular": ("所指文件 {file} 不是普通文件", "its file {file} is not a regular file"),
    "snap_outside": ("所指文件 {file} 位于快照文件夹之外", "its file {file} lies outside the snapshot folder"),
    "snap_key": ("缺少键 {field}", "lacks the key {field}"),
    "snap_type": ("键 {field} 的类型不对（{kind}，应为 {want}）", "the key {field} is {kind}, not {want}"),
    "snap_count": ("counts.{field} 不是非负整数（{kind}）", "counts.{field} is {kind}, not a whole number"),
    "snap_total": ("totals.{field} 不是数字（{kind}）", "totals.{field} is {kind}, not a number"),
    "snap_names": ("指向文件 {file}，而不是 {expected}", "names {file} as its file, not {expected}"),
    "snap_side_link": ("是符号链接：未读取", "is a symbolic link: not read"),
    "snap_not_regular_self": ("不是普通文件", "is not a regular file"),
    "snap_cannot_read": ("无法读取（{err}）", "cannot be read ({err})"),
    "snap_too_big": ("{mb} MB，超过读回快照 {limit} MB 的上限", "{mb} MB is over the {limit} MB limit for reading snapshots back"),
    "snap_members": ("含 {n} 个成员，超过 {limit} 个的上限", "holds {n} members, over the limit of {limit}"),
    "snap_member_big": ("成员 {member} 解压后超过 {mb} MB：已拒绝", "member {member} unpacks to more than {mb} MB: refused"),
    "snap_not_read_back": ("不是本工具可读回的快照", "not a snapshot this tool reads back"),
    "snap_read_failed": ("无法读回（{err}）", "cannot be read back ({err})"),
    "snap_list_failed": ("无法列出（{err}）", "cannot be listed ({err})"),
    "snap_compare": ("{layer} 图层无法比较（{err}）", "the {layer} layer cannot be compared ({err})"),
    "snap_list_max": ("未读取：文件夹中的附属文件超过 {n} 个", "not read: more than {n} sidecars in the folder"),
}

GEOS: dict[str, tuple[str, str]] = {  # shapely's explain_validity reasons
    "Self-intersection": ("自相交", "self-intersection"), "Ring Self-intersection": ("环自相交", "ring self-intersection"),
    "Too few points": ("点数过少", "too few points"), "Hole lies outside shell": ("内环在外环之外", "hole outside the shell"),
    "Nested shells": ("外环嵌套", "nested shells"), "Nested holes": ("内环嵌套", "nested holes"),
    "Interior is disconnected": ("内部不连通", "interior disconnected"), "Invalid Coordinate": ("坐标无效", "invalid coordinate"),
    "Duplicate Rings": ("重复的环", "duplicate rings"), "Self-touching ring forming hole": ("环自接触形成洞", "self-touching ring"),
    "Ring is not closed": ("环未闭合", "ring not closed"),
}

LANGS = ("zh", "en")  # the member of a pair each language reads; any other code reads English
MISSING = "—"  # a number the data does not give


def _slot(lang: str) -> int:
    return LANGS.index(lang) if lang in LANGS else 1


def pick(table: dict[str, tuple[str, str]], key: str, lang: str = "zh", default: str | None = None,
         **values: object) -> str:
    """The Chinese or English member of a ``(zh, en)`` pair; every string table of the app uses this.

    Parameters
    ----------
    table : dict of str to (str, str)
        One of this module's tables (or a page's own table of the same shape).
    key : str
        The string's key.
    lang : {"zh", "en"}, default "zh"
        Language; any code other than "zh" reads English.
    default : str, optional
        Returned for an unknown key (the key itself when not given).
    **values
        Placeholders to fill (``str.format``); without them the text is returned as stored.

    Returns
    -------
    str
    """
    pair = table.get(key)
    if pair is None:
        return key if default is None else default
    text = pair[_slot(lang)]
    return text.format(**values) if values else text


def both(table: dict[str, tuple[str, str]], key: str, **values: object) -> tuple[str, str]:
    """A template filled in both languages, for records that keep both (the reasons of a match).

    Parameters
    ----------
    table : dict of str to (str, str)
        Usually ``REASONS``.
    key : str
        The template's key.
    **values
        Placeholders; a value meant for one language has its own placeholder (``where_zh``).

    Returns
    -------
    (str, str)
        The Chinese and the English text.
    """
    return pick(table, key, "zh", **values), pick(table, key, "en", **values)


def t(key: str, lang: str = "zh", **values: object) -> str:
    """A page string (``STRINGS``) in one language.

    Parameters
    ----------
    key : str
        Key of ``STRINGS``.
    lang : {"zh", "en"}, default "zh"
    **values
        Placeholders to fill.

    Returns
    -------
    str
        The key itself when it is unknown.
    """
    return pick(STRINGS, key, lang, **values)


def label(field: str, lang: str = "zh") -> str:
    """A column's label (``FIELD_LABELS``), the column name itself when it has none.

    Parameters
    ----------
    field : str
        Column name.
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    str
    """
    return pick(FIELD_LABELS, field, lang)


def geometry_source_label(src: str, lang: str = "zh") -> str:
    """How a geometry was made ("surveyed", "schematic", …) in words.

    Parameters
    ----------
    src : str
        A ``geometry_source`` value.
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    str
    """
    return pick(GEOMETRY_SOURCE_LABELS, src, lang)


def col(base: str, lang: str = "zh") -> str:
    """The column of a bilingual pair of data columns for a language: ``col("name", "en")`` → ``"name_en"``.

    Parameters
    ----------
    base : str
        Column name without its language suffix.
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    str
    """
    return f"{base}_{LANGS[_slot(lang)]}"


def other(lang: str) -> str:
    """The other language of the pair (a page in Chinese shows a name's English form as a subtitle).

    Parameters
    ----------
    lang : {"zh", "en"}

    Returns
    -------
    str
    """
    return LANGS[1 - _slot(lang)]


def code(lang: str) -> str:
    """The language code a page reads: "zh", or "en" for any other code.

    Parameters
    ----------
    lang : str

    Returns
    -------
    str
    """
    return LANGS[_slot(lang)]


def html_lang(lang: str) -> str:
    """The HTML ``lang`` attribute of a page in this language.

    Parameters
    ----------
    lang : {"zh", "en"}

    Returns
    -------
    str
        "zh-CN" or "en".
    """
    return ("zh-CN", "en")[_slot(lang)]


# ------------------------------------------------------------------ numbers: one formatter


def _finite(x: object) -> float | None:
    try:
        v = float(x)  # None, pd.NA and text raise; NaN passes and is caught below
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) or math.isinf(v) else v


def number(x: float | None, digits: int = 1, trim: bool = True) -> str:
    """A number with thousands separators and ``digits`` decimals, trailing zeros dropped.

    Parameters
    ----------
    x : float or None
        The value; anything that is not a finite number (None, NaN, ``pd.NA``) is missing.
    digits : int, default 1
        Decimals kept; 0 rounds to a whole number.
    trim : bool, default True
        Drop trailing zeros ("1.5", "2"); False keeps them (a score: "0.40", "1.00").

    Returns
    -------
    str
        "—" (``MISSING``) for a missing value, never "0".
    """
    v = _finite(x)
    if v is None:
        return MISSING
    text = f"{v:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if digits and trim else text


def distance(metres: float | None, unit: str = "auto") -> str:
    """A distance in metres, written for reading.

    Parameters
    ----------
    metres : float or None
        The distance; missing stays missing.
    unit : {"auto", "km"}, default "auto"
        "auto": whole metres below 1 km ("573 m"), else kilometres to 0.1 ("1.2 km");
        "km": kilometres to 0.01 ("0.57 km"), for tables that compare distances.

    Returns
    -------
    str
        "—" (``MISSING``) for a missing distance.
    """
    v = _finite(metres)
    if v is None:
        return MISSING
    if unit == "km":
        return f"{number(v / 1000, 2)} km"
    return f"{number(v, 0)} m" if v < 1000 else f"{number(v / 1000, 1, trim=False)} km"


# ------------------------------------------------------------------ data values and generated messages

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_EN_WORD = re.compile(r"[a-z]{3,}")


@functools.cache
def _reader(template: str) -> re.Pattern[str]:
    """A regular expression reading the values back out of an English template's text."""
    parts, at = [], 0
    for m in _PLACEHOLDER.finditer(template):
        parts += [re.escape(template[at:m.start()]), f"(?P<{m.group(1)}>(?:(?!; ).)+?)"]  # a value holds no "; "
        at = m.end()
    return re.compile("^" + "".join(parts) + re.escape(template[at:]) + "$", re.S)


def _read(table: dict[str, tuple[str, str]], text: str, prefix: str = "") -> tuple[str, dict[str, str]] | None:
    """The key of the first English template (of keys starting ``prefix``) the text fills, and its values."""
    for key, (_, en) in table.items():
        if key.startswith(prefix) and (m := _reader(en).match(text)):
            return key, m.groupdict()
    return None


def district_name(names: object, lang: str = "zh") -> str:
    """District names (one, or several separated by ";") in the language: 九龙坡区 → "Jiulongpo District".

    Parameters
    ----------
    names : str
        Chinese district names as the data holds them; blank gives "".
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    str
        Joined with "、" in Chinese and "; " in English; a name the table lacks stays as it is.
    """
    if not isinstance(names, str) or not names.strip():
        return ""
    parts = [pick(DISTRICTS, n.strip(), lang, default=n.strip()) for n in names.split(";") if n.strip()]
    return pick(REASONS, "list_sep", lang).join(parts)


def local_time(stamp: str, zone: str = "Asia/Shanghai") -> str:
    """An ISO 8601 time (with its offset) as ``YYYY-MM-DD HH:MM:SS`` in China Standard Time.

    Parameters
    ----------
    stamp : str
        ISO 8601; one without an offset is taken as UTC; an unreadable one is returned as it is.
    zone : str, default "Asia/Shanghai"

    Returns
    -------
    str
    """
    try:
        t = dt.datetime.fromisoformat(str(stamp).strip().replace("Z", "+00:00"))
    except ValueError:
        return str(stamp)
    t = t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    return t.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def _geos(reason: str, lang: str) -> str:
    """A GEOS validity reason (``Self-intersection[106.3 29.6]``) or geometry type in words."""
    m = re.match(r"^\s*([A-Za-z][A-Za-z -]*?)\s*(\[.*\])?\s*$", reason)
    if not m or m.group(1) not in GEOS:
        return reason
    return pick(GEOS, m.group(1), lang) + (m.group(2) or "")


def _convert(name: str, value: str, lang: str, names: Mapping[str, tuple[str, str]] | None = None) -> str:
    """A value read out of a template, in the language (nested messages, districts, times, zones by name where
    ``names`` has them, other ids as they are)."""
    if name == "zone" and names and value in names:
        zh, en = names[value]
        return en if code(lang) == "en" and en else zh
    if name == "msg":
        return message(value, lang)
    if name == "err":  # a library's error text: shown when it reads in the language, else said to be left out
        said = message(value, lang)
        return said if _slot(lang) == 1 or not _EN_WORD.search(said) else pick(STRINGS, "err_left_out", lang)
    if name in ("geos", "gtype"):
        return _geos(value, lang)
    if name in ("district", "expected"):
        return district_name(value, lang)
    if name == "when":
        return local_time(value)
    if name == "source":
        return pick(GEOMETRY_SOURCE_LABELS, value, lang, default=value)
    return value


def _fill(table: dict[str, tuple[str, str]], hit: tuple[str, dict[str, str]], lang: str,
          names: Mapping[str, tuple[str, str]] | None = None) -> str:
    key, found = hit
    return pick(table, key, lang, **{k: _convert(k, v, lang, names) for k, v in found.items()})


def message(text: object, lang: str = "zh") -> str:
    """A message of the import, store or export (written in English by ``geo.io``) in the language.

    The message is read against the English templates of ``MESSAGES`` and written with the
    language's template; a ``name: …`` prefix (a file or an id) is kept, and a list joined with
    "; " is read part by part. Text no template reads is returned as it is.

    Parameters
    ----------
    text : str
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    str
    """
    text = "" if text is None else str(text)
    if not text.strip():
        return text
    norm = text.replace(" 亩", " mu")
    if hit := _read(MESSAGES, norm):
        return _fill(MESSAGES, hit, lang)
    head, sep, rest = norm.partition(": ")
    if sep and (inner := message(rest, lang)) != rest:
        return head + pick(STRINGS, "colon", lang) + inner
    if "; " in norm:
        return pick(REASONS, "reason_sep", lang).join(message(part, lang) for part in norm.split("; "))
    return text


def value(field: str, v: object, lang: str = "zh", names: Mapping[str, tuple[str, str]] | None = None) -> str:
    """A data value in the language: an enumeration (``kind`` "park" → 园区), a generated note read back
    from its English template ("nominal radius 800 m (extent unknown)" → "名义半径 800 m（范围未知）"),
    a district or a layout name; other values as they are.

    Parameters
    ----------
    field : str
        The column (``kind``, ``position_method``, ``position_confidence``, ``extent_method``,
        ``placement_note``, ``district`` …).
    v : object
        The value; blank gives "".
    lang : {"zh", "en"}, default "zh"
    names : mapping of str to (str, str), optional
        Place ids → (Chinese, English) names: a generated note's ``{zone}`` is written as the zone's
        name in the language (else its id).

    Returns
    -------
    str
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    text = str(v)
    if f"{field}:{text}" in VALUES:
        return pick(VALUES, f"{field}:{text}", lang)
    if field in ("district", "district_zh", "district_pip", "districts"):
        return district_name(text, lang)
    if field == "layout":
        return pick(LAYOUTS, text, lang, default=text)
    if hit := _read(PATTERNS, text.replace(" 亩", " mu"), f"{field}:"):
        return _fill(PATTERNS, hit, lang, names)
    if field == "note":
        return message(text, lang)
    return text


def readable(text: object, lang: str = "zh") -> bool:
    """Whether a free text (a curator's note) reads in the language, so a page may show it.

    Chinese: the text has Chinese and no English word (three lower-case letters; an id such as
    ``HTS-T2-05`` or an acronym may appear). English: the text starts in English (a Latin word before
    its first Chinese character).

    Parameters
    ----------
    text : object
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    bool
        False for a blank text.
    """
    if not isinstance(text, str) or not text.strip():
        return False
    first_cjk = _CJK.search(text)
    if _slot(lang) == 0:
        return bool(first_cjk) and not _EN_WORD.search(text)
    return bool(_LATIN_WORD.search(text[:first_cjk.start()] if first_cjk else text))
