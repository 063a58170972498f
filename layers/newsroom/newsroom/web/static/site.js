/* Newsroom: small progressive enhancements. No dependencies, never throws.
 *
 * - [data-print]: a button that prints the page (hidden until wired).
 * - [data-date-line]: today's date, in the same words as the server wrote the
 *   render-time line: "<weekday>, <day> <month> <year>", with the names taken
 *   from the element's data-weekdays (Sunday first) and data-months attributes.
 * - [data-stat]: figures refreshed from the JSON at [data-stats-url]; the
 *   render-time values stay when anything goes wrong.
 * - [data-stat-time]: the time the figures are "as of", in the site's time
 *   zone (data-timezone); [data-most-read]: the most-read lists, built with
 *   textContent only; [data-figures] modules stay hidden until they have some.
 * - [data-play-video]: a video placeholder's button (shown once wired); a
 *   click puts in the player's iframe, from the privacy-enhanced hosts only:
 *   nothing is asked of the video site before it.
 * - [data-article-views]: the article's own count, from its shard file
 *   ({url: views}), asked for only when /stats.json lists that shard as
 *   written (view_shards); a shard or URL not there means no view yet.
 */
(function () {
  "use strict";

  function all(selector) {
    try {
      return Array.prototype.slice.call(document.querySelectorAll(selector));
    } catch (error) {
      return [];
    }
  }

  function safely(task) {
    try {
      task();
    } catch (error) {
      /* an enhancement that fails leaves the rendered page as it was */
    }
  }

  function names(element, attribute, count) {
    try {
      var list = JSON.parse(element.getAttribute(attribute) || "null");
      if (!Array.isArray(list) || list.length !== count) {
        return null;
      }
      for (var i = 0; i < list.length; i += 1) {
        if (typeof list[i] !== "string") {
          return null;
        }
      }
      return list;
    } catch (error) {
      return null;
    }
  }

  function wirePrint() {
    // A printed link shows where it leads: the print stylesheet prints this full address.
    all('.article-body a[href^="/"]').forEach(function (link) {
      link.setAttribute("data-print-url", link.href);
    });
    if (typeof window.print !== "function") {
      return;
    }
    all("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        safely(function () {
          window.print();
        });
      });
      button.hidden = false;
    });
  }

  function fillDateLine() {
    var today = new Date();
    all("[data-date-line]").forEach(function (element) {
      var weekdays = names(element, "data-weekdays", 7);
      var months = names(element, "data-months", 12);
      if (!weekdays || !months) {
        return;
      }
      element.textContent =
        weekdays[today.getDay()] + ", " + today.getDate() + " " +
        months[today.getMonth()] + " " + today.getFullYear();
    });
  }

  function numberFormatter() {
    try {
      var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
      return function (value) {
        return format.format(value);
      };
    } catch (error) {
      return function (value) {
        return String(value);
      };
    }
  }

  function isCount(value) {
    return typeof value === "number" && isFinite(value) && value >= 0;
  }

  function isLocalUrl(value) {
    if (typeof value !== "string" || value.charAt(0) !== "/" || /[\u0000-\u0020\\]/.test(value)) {
      return false;
    }
    try {
      return new URL(value, window.location.href).origin === window.location.origin;
    } catch (error) {
      return false;
    }
  }

  function showTime(element, stamp) {
    var moment = new Date(stamp);
    if (typeof stamp !== "string" || isNaN(moment.getTime())) {
      return false;
    }
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    var zone = element.getAttribute("data-timezone");
    if (zone) {
      options.timeZone = zone;
    }
    var text;
    try {
      text = new Intl.DateTimeFormat(document.documentElement.lang || undefined, options).format(moment);
      var day = { day: "numeric", month: "numeric", timeZone: options.timeZone };
      var dayFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, day);
      if (dayFormat.format(moment) !== dayFormat.format(new Date())) {
        text += " " + dayFormat.format(moment);
      }
    } catch (error) {
      text = stamp.slice(11, 16) + " UTC";
    }
    element.textContent = text;
    element.setAttribute("title", stamp);
    return true;
  }

  function fillList(list, lines, format) {
    var shown = 0;
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    (Array.isArray(lines) ? lines : []).forEach(function (line) {
      if (!line || typeof line.title !== "string" || !isLocalUrl(line.url) || !isCount(line.views)) {
        return;
      }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = line.url;
      link.textContent = line.title;
      var views = document.createElement("span");
      views.className = "views";
      views.textContent = format(Math.floor(line.views));
      item.appendChild(link);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(views);
      list.appendChild(item);
      shown += 1;
    });
    list.hidden = shown === 0;
    if (list.previousElementSibling && list.previousElementSibling.tagName === "H3") {
      list.previousElementSibling.hidden = shown === 0;
    }
    return shown;
  }

  function applyStats(data) {
    if (!data || typeof data !== "object") {
      return;
    }
    var format = numberFormatter();
    all("[data-stat]").forEach(function (element) {
      var name = element.getAttribute("data-stat");
      var value = Object.prototype.hasOwnProperty.call(data, name) ? data[name] : null;
      if (isCount(value)) {
        element.textContent = format(Math.floor(value));
      }
    });
    var hasTime = false;
    all("[data-stat-time]").forEach(function (element) {
      hasTime = showTime(element, data[element.getAttribute("data-stat-time")]) || hasTime;
    });
    all("[data-figures=online]").forEach(function (module) {
      module.hidden = !(hasTime && isCount(data.online));
    });
    var lists = data.most_read && typeof data.most_read === "object" ? data.most_read : {};
    var shown = 0;
    all("[data-most-read]").forEach(function (list) {
      shown += fillList(list, lists[list.getAttribute("data-most-read")], format);
    });
    all("[data-figures=most_read]").forEach(function (module) {
      module.hidden = shown === 0;
    });
  }

  /* GET a same-origin JSON file and hand it to use (null when not answered 200); never throws. */
  function getJson(url, use) {
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        safely(function () {
          use(data);
        });
      })
      .catch(function () {
        /* the page stays as it was rendered */
      });
  }

  function fetchArticleViews(stats) {
    var holder = document.querySelector("[data-article-views]");
    var url = holder && holder.getAttribute("data-article-views");
    var shard = holder && holder.getAttribute("data-shard");
    var page = holder && holder.getAttribute("data-url");
    var target = holder && holder.querySelector("[data-views]");
    if (!isLocalUrl(url) || !shard || !page || !target || !stats || !Array.isArray(stats.view_shards)) {
      return;
    }
    var base = parseInt(holder.getAttribute("data-base") || "0", 10);
    base = isCount(base) ? base : 0;
    function show(value) {
      if (isCount(value)) {
        target.textContent = numberFormatter()(base + Math.floor(value));
        holder.hidden = false;
      }
    }
    if (stats.view_shards.indexOf(shard) === -1 || typeof window.fetch !== "function") {
      show(0); /* no article of this shard was read yet: no file to ask for */
      return;
    }
    getJson(url, function (data) {
      if (data && typeof data === "object") {
        show(Object.prototype.hasOwnProperty.call(data, page) ? data[page] : 0);
      }
    }); /* on failure the count stays hidden */
  }

  function fetchStats() {
    var holder = document.querySelector("[data-stats-url]");
    var url = holder && holder.getAttribute("data-stats-url");
    if (!url || typeof window.fetch !== "function") {
      return;
    }
    getJson(url, function (data) {
      safely(function () {
        applyStats(data);
      });
      fetchArticleViews(data);
    }); /* on failure the render-time figures stay */
  }

  function showRandomPicture() {
    var module = document.querySelector("[data-gallery-url]");
    var url = module && module.getAttribute("data-gallery-url");
    if (!url || typeof window.fetch !== "function") {
      return;
    }
    getJson(url, function (data) {
      var pictures = (data && Array.isArray(data.pictures) ? data.pictures : []).filter(function (p) {
        return p && isLocalUrl(p.src) && isLocalUrl(p.webp) && isLocalUrl(p.href) && isCount(p.width) && isCount(p.height);
      });
      if (!pictures.length) {
        return; /* an empty library: the module stays hidden */
      }
      var chosen = pictures[Math.floor(Math.random() * pictures.length)];
      var slot = module.querySelector("[data-gallery-slot]");
      var link = document.createElement("a");
      var picture = document.createElement("picture");
      var source = document.createElement("source");
      var image = document.createElement("img");
      link.href = chosen.href;
      source.type = "image/webp";
      source.srcset = chosen.webp;
      image.src = chosen.src;
      image.width = chosen.width;
      image.height = chosen.height;
      image.alt = slot.getAttribute("data-alt") || "";
      image.loading = "lazy";
      picture.appendChild(source);
      picture.appendChild(image);
      link.appendChild(picture);
      slot.appendChild(link);
      module.hidden = false;
    });
  }

  var PLAYERS = ["https://www.youtube-nocookie.com/", "https://player.vimeo.com/", "https://www.facebook.com/plugins/"];

  function wireVideos() {
    all("figure.video[data-video]").forEach(function (figure) {
      var player = figure.getAttribute("data-video") || "";
      var button = figure.querySelector("[data-play-video]");
      var allowed = PLAYERS.some(function (prefix) {
        return player.indexOf(prefix) === 0;
      });
      if (!button || !allowed) {
        return;
      }
      button.addEventListener("click", function () {
        safely(function () {
          var frame = document.createElement("iframe");
          frame.src = player + (player.indexOf("?") === -1 ? "?" : "&") + "autoplay=1";
          frame.title = button.textContent.replace(/^\W+/, "");
          frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
          frame.allowFullscreen = true;
          frame.referrerPolicy = "strict-origin-when-cross-origin";
          frame.className = "video-frame";
          figure.replaceChild(frame, button);
        });
      });
      button.hidden = false;
    });
  }

  function start() {
    safely(wirePrint);
    safely(wireVideos);
    safely(fillDateLine);
    safely(fetchStats);
    safely(showRandomPicture);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
