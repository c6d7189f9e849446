/* Search on demand: the theme starts its search worker and downloads the whole search index
   (every word of every page) as soon as any page loads, whether or not the reader ever searches.
   This script, loaded before the theme's own, holds both back until the reader opens search
   (the search field gets focus, the search toggle is switched, or a search key is pressed).
   Until then the theme shows its usual "Initializing search"; without JavaScript nothing changes. */
(function () {
  "use strict";
  var wanted = false;
  var waiting = [];

  function want() {
    if (wanted) return;
    wanted = true;
    waiting.splice(0).forEach(function (start) { start(); });
  }

  function whenWanted(start) {
    if (wanted) start(); else waiting.push(start);
  }

  // The index is fetched with XMLHttpRequest: its request is sent only once search is wanted.
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.ssdSearchIndex = /\/search\/search_index\.json$/.test(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var request = this;
    var body = arguments;
    if (!request.ssdSearchIndex) return send.apply(request, body);
    whenWanted(function () { send.apply(request, body); });
  };

  // The search worker: a stand-in receives the theme's messages and starts the real worker when wanted.
  var RealWorker = window.Worker;
  if (RealWorker) {
    window.Worker = function (url, options) {
      if (!/\/workers\/search\.[^/]*\.js$/.test(String(url))) return new RealWorker(url, options);
      var stand_in = new EventTarget();
      var queue = [];
      var real = null;
      stand_in.postMessage = function (message) {
        if (real) real.postMessage(message); else queue.push(message);
      };
      stand_in.terminate = function () {
        if (real) real.terminate();
      };
      whenWanted(function () {
        real = new RealWorker(url, options);
        ["message", "error", "messageerror"].forEach(function (type) {
          real.addEventListener(type, function (event) {
            var copy = type === "error" ? new Event("error") : new MessageEvent(type, { data: event.data });
            stand_in.dispatchEvent(copy);
          });
        });
        queue.splice(0).forEach(function (message) { real.postMessage(message); });
      });
      return stand_in;
    };
  }

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-md-component=search-query]")) want();
  });
  document.addEventListener("change", function (event) {
    if (event.target.id === "__search" && event.target.checked) want();
  });
  document.addEventListener("keydown", function (event) {
    // The theme's own keys for search: s, f and /.
    if (["s", "S", "f", "F", "/"].indexOf(event.key) !== -1) want();
  }, true);
  // A search address (?q=...) or a highlighted result (?h=...) needs the index at once.
  if (/[?&][qh]=/.test(location.search)) want();
})();
