// Cite this page: copy buttons, today's date as the access date, and downloads that carry it.
// Without JavaScript the citations stay selectable text and the downloads name no date of access.
(function () {
  "use strict";

  var MLA_MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."];

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function today() {
    var now = new Date();
    return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
  }

  function fillAccessDates() {
    var day = today();
    document.querySelectorAll(".ssd-access-date").forEach(function (slot) {
      slot.textContent = day.day + " " + MLA_MONTHS[day.month - 1] + " " + day.year;
    });
  }

  function announce(button, message) {
    var status = button.closest(".ssd-cite") && button.closest(".ssd-cite").querySelector(".ssd-copy-status");
    if (status) {
      status.textContent = message;
    }
    var label = button.firstChild;
    label.textContent = message === "Copied." ? "Copied" : "Copy";
    window.setTimeout(function () { label.textContent = "Copy"; }, 2000);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Served over plain http the Clipboard API is missing: copy through a hidden text area.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var done = document.execCommand("copy");
      document.body.removeChild(area);
      if (done) {
        resolve();
      } else {
        reject(new Error("copy refused"));
      }
    });
  }

  function setUpCopyButtons() {
    document.querySelectorAll(".ssd-copy[data-copy]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent.replace(/\s+/g, " ").trim();
        copyText(text).then(
          function () { announce(button, "Copied."); },
          function () { announce(button, "Copying was refused: select the citation and copy it yourself."); }
        );
      });
    });
  }

  // The stored files name no date of access; the copy the reader downloads gives today's date as that date.
  function withAccessDate(text, name) {
    var day = today();
    var iso = day.year + "-" + pad(day.month) + "-" + pad(day.day);
    if (/\.json$/.test(name)) {
      var items = JSON.parse(text);
      items.forEach(function (item) {
        item.accessed = { "date-parts": [[day.year, day.month, day.day]] };
      });
      return JSON.stringify(items, null, 2) + "\n";
    }
    if (/\.ris$/.test(name)) {  // after the address, as the date the address was visited
      var visited = day.year + "/" + pad(day.month) + "/" + pad(day.day);
      return text.replace(/^(UR {2}- .*?)(\r?\n)/m, "$1$2Y2  - " + visited + "$2");
    }
    return text.replace(/^( {2}url = \{.*?\},)(\r?\n)/m, "$1$2  urldate = {" + iso + "},$2");
  }

  function setUpDownloads() {
    document.querySelectorAll("a.ssd-cite-download").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (!window.fetch || !window.Blob || !URL.createObjectURL) {
          return;
        }
        event.preventDefault();
        var name = link.getAttribute("download");
        fetch(link.href)
          .then(function (response) {
            if (!response.ok) {
              throw new Error(response.statusText);
            }
            return response.text();
          })
          .then(function (text) {
            var blob = new Blob([withAccessDate(text, name)], { type: link.type || "text/plain" });
            var temporary = document.createElement("a");
            temporary.href = URL.createObjectURL(blob);
            temporary.download = name;
            document.body.appendChild(temporary);
            temporary.click();
            document.body.removeChild(temporary);
            window.setTimeout(function () { URL.revokeObjectURL(temporary.href); }, 1000);
          })
          .catch(function () {
            window.location.href = link.href;
          });
      });
    });
  }

  function setUp() {
    fillAccessDates();
    setUpCopyButtons();
    setUpDownloads();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
