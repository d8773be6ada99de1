/* xladdin page: plain ES2017 for Chromium 90 (the 信创 browsers) — no modules, no optional chaining,
   no nullish operators, no Array.prototype.at, no build step, nothing loaded from the network. */
(function () {
  "use strict";

  var state = { busy: false, master: "", month: "", log: [], seq: 0 };

  function $(id) { return document.getElementById(id); }

  function esc(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function show(el, cls, text) { el.innerHTML = '<div class="' + cls + '">' + esc(text) + "</div>"; }

  async function call(method, url, body) {
    var opts = { method: method, headers: {}, credentials: "same-origin" };
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    var resp;
    try {
      resp = await fetch(url, opts);
    } catch (e) {
      throw new Error("无法连接本机服务，请确认启动窗口未关闭。");
    }
    var data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (!resp.ok) {
      throw new Error(data && data.error ? data.error : "请求失败（" + resp.status + "）。");
    }
    return data;
  }

  function setBusy(busy) {
    state.busy = busy;
    var buttons = document.querySelectorAll("main button");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = busy; }
    $("files").disabled = busy;
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  /* Start a job, show its progress lines in `out` while it runs, return its result. */
  async function runJob(url, body, out) {
    if (state.busy) { return null; }
    setBusy(true);
    out.innerHTML = '<div class="busy">正在处理 …</div><div class="log"></div>';
    try {
      var started = await call("POST", url, body);
      for (;;) {
        await sleep(400);
        var job = await call("GET", "/api/jobs/" + started.job);
        var log = out.querySelector(".log");
        if (log) { log.innerHTML = job.messages.map(function (m) { return "<div>" + esc(m) + "</div>"; }).join(""); }
        if (job.state === "done") { out.innerHTML = ""; state.log = job.messages; return job.result; }
        if (job.state === "failed") { show(out, "errbox", job.error); return null; }
      }
    } catch (e) {
      show(out, "errbox", e.message);
      return null;
    } finally {
      setBusy(false);
      refresh();
    }
  }

  function needMaster(out) {
    if (!state.master) { show(out, "errbox", "请先在第一步选择主台账。"); return false; }
    return true;
  }

  function whereHtml(item) {
    var place = item.sheet ? item.sheet + (item.cell ? "!" + item.cell : "") : "";
    return (item.file ? '<span class="file">' + esc(item.file) + "</span> " : "") + esc(place);
  }

  function findingsHtml(groups) {
    if (!groups.length) { return '<p class="ok">未发现问题。</p>'; }
    return groups.map(function (g, n) {
      var rows = g.items.map(function (it) {
        return '<tr><td class="' + (it.severity === "error" ? "e" : "w") + '">' + esc(it.level) + "</td>" +
          '<td class="where">' + whereHtml(it) + "</td><td>" + esc(it.message) + "</td></tr>";
      }).join("");
      var counts = [];
      if (g.errors) { counts.push('<span class="e">错误 ' + g.errors + "</span>"); }
      if (g.warnings) { counts.push('<span class="w">警告 ' + g.warnings + "</span>"); }
      return '<details class="group"' + (n === 0 ? " open" : "") + "><summary><b>" + esc(g.group) + "</b>　" +
        counts.join("　") + "</summary><table class='findings'><tr><th>级别</th><th>位置（工作表!单元格）</th><th>说明</th></tr>" +
        rows + "</table></details>";
    }).join("");
  }

  function linksHtml(files) {
    return files.map(function (f) {
      return '<a class="file" href="' + esc(f.url) + '" download="' + esc(f.name) + '">下载：' + esc(f.name) + "</a>";
    }).join("");
  }

  /* ---- state: masters, the month's folder, backups ---- */
  async function refresh(again) {
    var url = "/api/state?master=" + encodeURIComponent(state.master) + "&month=" + encodeURIComponent(state.month);
    var data, seq = ++state.seq;
    try { data = await call("GET", url); } catch (e) { show($("master-status"), "errbox", e.message); return; }
    if (seq !== state.seq) { return; } /* a later refresh (another month or master) is under way */
    $("folder").textContent = data.folder;
    var select = $("master");
    var names = data.masters.map(function (m) { return m.name; });
    if (names.indexOf(state.master) < 0) { state.master = names.length ? names[0] : ""; }
    select.innerHTML = names.length ? names.map(function (n) {
      return '<option value="' + esc(n) + '"' + (n === state.master ? " selected" : "") + ">" + esc(n) + "</option>";
    }).join("") : '<option value="">（文件夹中没有主台账）</option>';
    $("new-master").open = !names.length;
    if (state.master && data.open === undefined && again !== false) { return refresh(false); }
    var status = $("master-status");
    if (!state.master) {
      show(status, "warnbox", "文件夹中没有主台账（.xlsx）。请把主台账放入该文件夹后点“刷新”，或按模板新建。");
    } else if (data.open) {
      show(status, "warnbox", data.open);
    } else if (data.problem) {
      show(status, "errbox", data.problem);
    } else {
      status.innerHTML = "";
    }
    var returned = $("returned");
    if (data.month) {
      var got = data.month.returned.map(function (r) { return r.unit || r.file; });
      returned.textContent = got.length
        ? "“" + data.month.dir + "/月报表（已收回）”中已有 " + got.length + " 份：" + got.join("、") + "。"
        : data.month.label + "尚未收到月报表（将保存在“" + data.month.dir + "/月报表（已收回）”）。";
    } else {
      returned.textContent = "";
    }
    renderBackups(data.backups || []);
  }

  function renderBackups(list) {
    var box = $("backups");
    if (!state.master) { box.innerHTML = ""; return; }
    if (!list.length) { box.innerHTML = '<p class="hint">“备份”文件夹中还没有该主台账的备份。</p>'; return; }
    box.innerHTML = "<table><tr><th>备份时间</th><th>之后的操作</th><th>改动</th><th>文件</th><th>大小</th><th></th></tr>" +
      list.map(function (b) {
      var job = (b.job || "") + (b.month ? "（" + b.month + "月）" : "") + (b.protected ? "，保留至新月份汇总" : "");
      return "<tr><td>" + esc(b.taken) + "</td><td>" + esc(job) + "</td><td>" + esc(b.changes || "—") + "</td><td>" +
        esc(b.name) + '</td><td class="num">' +
        (b.size / 1024).toFixed(0) + ' KB</td><td><button type="button" class="plain restore" data-name="' +
        esc(b.name) + '">恢复为此备份</button></td></tr>';
    }).join("") + "</table>";
    var buttons = box.querySelectorAll("button.restore");
    for (var i = 0; i < buttons.length; i++) { buttons[i].addEventListener("click", onRestore); buttons[i].disabled = state.busy; }
  }

  /* ---- the steps ---- */
  async function onNew() {
    var out = $("master-out");
    try {
      var data = await call("POST", "/api/master", { name: $("new-name").value });
      state.master = data.name;
      show(out, "okbox", data.text);
    } catch (e) { show(out, "errbox", e.message); }
    refresh();
  }

  async function onOpen() {
    var out = $("master-out");
    if (!needMaster(out)) { return; }
    try { show(out, "okbox", (await call("POST", "/api/open", { master: state.master })).text); } catch (e) { show(out, "errbox", e.message); }
  }

  async function onForms(zip) {
    var out = $("forms-out");
    if (!needMaster(out)) { return; }
    var r = await runJob("/api/forms", { master: state.master, month: state.month, zip: zip }, out);
    if (!r) { return; }
    var html = '<div class="okbox">' + esc(r.text) + "</div>";
    if (r.download) { html += "<p>" + linksHtml([r.download]) + "</p>"; }
    if (r.skipped.length) { html += '<div class="warnbox">以下项目的责任单位无法识别，未生成月报表：' + esc(r.skipped.join("、")) + "</div>"; }
    out.innerHTML = html;
    if (r.download) { window.location.href = r.download.url; }
  }

  async function upload(files) {
    var out = $("upload-out");
    if (!needMaster(out) || !files.length || state.busy) { return; }
    var form = new FormData();
    form.append("master", state.master);
    form.append("month", state.month);
    for (var i = 0; i < files.length; i++) { form.append("files", files[i], files[i].name); }
    setBusy(true);
    out.innerHTML = '<div class="busy">正在上传 ' + files.length + " 个文件 …</div>";
    try {
      var r = await call("POST", "/api/upload", form);
      var bad = r.results.filter(function (x) { return !x.ok; });
      var odd = r.results.filter(function (x) { return x.ok && x.warning; });
      out.innerHTML = '<div class="okbox">' + esc(r.text) + "</div>" + (bad.length ? '<div class="errbox">' +
        bad.map(function (x) { return esc(x.text); }).join("<br>") + "</div>" : "") + (odd.length ? '<div class="warnbox">' +
        odd.map(function (x) { return esc(x.file + "：" + x.warning); }).join("<br>") + "</div>" : "");
    } catch (e) {
      show(out, "errbox", e.message);
    } finally {
      setBusy(false);
      $("files").value = "";
      refresh();
    }
  }

  async function onValidate() {
    var out = $("validate-out");
    if (!needMaster(out)) { return; }
    var r = await runJob("/api/validate", { master: state.master, mark: $("mark").checked }, out);
    if (!r) { return; }
    out.innerHTML = '<div class="' + (r.errors ? "errbox" : "okbox") + '">' + esc(r.text) + "</div>" + findingsHtml(r.groups);
  }

  async function onConsolidate() {
    var out = $("consolidate-out");
    if (!needMaster(out)) { return; }
    var r = await runJob("/api/consolidate", { master: state.master, month: state.month }, out);
    if (!r) { return; }
    out.innerHTML = '<div class="okbox">' + esc(r.text) + (r.backup ? "\n汇总前的主台账已备份为“" + esc(r.backup) + "”。" : "") +
      '</div><details class="steps"><summary>处理过程</summary><div class="log">' +
      state.log.map(function (m) { return "<div>" + esc(m) + "</div>"; }).join("") + "</div></details>" +
      "<h3>本月月报表和主台账的问题（按单位）</h3>" + findingsHtml(r.groups);
  }

  async function onRanking() {
    var out = $("ranking-out");
    if (!needMaster(out)) { return; }
    var r = await runJob("/api/ranking", { master: state.master, month: state.month }, out);
    if (!r) { return; }
    var rows = r.ranking.map(function (x) {
      return "<tr" + (x.action ? ' class="act"' : "") + '><td class="num">' + esc(x.rank === null ? "—" : x.rank) + "</td><td>" +
        esc(x.unit) + '</td><td class="num">' + esc(x.growth) + '</td><td class="num">' + esc(x.ytd) + '</td><td class="num">' +
        esc(x.run) + "</td><td>" + esc(x.action) + "</td></tr>";
    }).join("");
    out.innerHTML = "<p>" + esc(r.headline) + "</p><h3>" + esc(r.period) + "各单位固定资产投资增速排名（末位增速约谈制）</h3>" +
      "<table><tr><th>名次</th><th>单位</th><th>增速</th><th>累计完成（亿元）</th><th>连续末位月数</th><th>处理措施</th></tr>" +
      rows + '</table><div class="warnbox">' + esc(r.text) + "</div>";
  }

  async function onBulletin(pdf) {
    var out = $("bulletin-out");
    if (!needMaster(out)) { return; }
    var r = await runJob("/api/bulletin", { master: state.master, month: state.month, pdf: pdf }, out);
    if (!r) { return; }
    out.innerHTML = '<div class="okbox">' + esc(r.text) + "</div><p>" + linksHtml(r.files) + "</p>";
  }

  async function onRestore(ev) {
    var name = ev.target.getAttribute("data-name");
    var out = $("backups-out");
    if (!window.confirm("确定把主台账恢复为备份“" + name + "”吗？恢复前的主台账会先另存一份备份。")) { return; }
    var r = await runJob("/api/restore", { master: state.master, backup: name }, out);
    if (r) { show(out, "okbox", r.text); }
  }

  function fillMonths() {
    var now = new Date();
    var guess = now.getMonth(); /* last month is the one being reported */
    if (guess < 2) { guess = 2; }
    var html = "";
    for (var m = 2; m <= 12; m++) {
      html += '<option value="' + m + '"' + (m === guess ? " selected" : "") + ">" + (m === 2 ? "1-2月" : m + "月") + "</option>";
    }
    $("month").innerHTML = html;
    state.month = String(guess);
  }

  function wire() {
    fillMonths();
    $("master").addEventListener("change", function () { state.master = this.value; refresh(); });
    $("month").addEventListener("change", function () { state.month = this.value; refresh(); });
    $("btn-refresh").addEventListener("click", function () { refresh(); });
    /* coming back from WPS/Excel: the master may have been closed (or opened) meanwhile */
    window.addEventListener("focus", function () { if (!state.busy) { refresh(); } });
    $("btn-new").addEventListener("click", onNew);
    $("btn-open").addEventListener("click", onOpen);
    $("btn-forms-zip").addEventListener("click", function () { onForms(true); });
    $("btn-forms-dir").addEventListener("click", function () { onForms(false); });
    $("files").addEventListener("change", function () { upload(this.files); });
    var drop = $("drop");
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.className = "drop over"; });
    drop.addEventListener("dragleave", function () { drop.className = "drop"; });
    drop.addEventListener("drop", function (e) { e.preventDefault(); drop.className = "drop"; upload(e.dataTransfer.files); });
    $("btn-validate").addEventListener("click", onValidate);
    $("btn-consolidate").addEventListener("click", onConsolidate);
    $("btn-ranking").addEventListener("click", onRanking);
    $("btn-bulletin-xlsx").addEventListener("click", function () { onBulletin(false); });
    $("btn-bulletin-pdf").addEventListener("click", function () { onBulletin(true); });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", wire);
})();
