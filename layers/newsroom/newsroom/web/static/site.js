/* Newsroom: small progressive enhancements. No dependencies, never throws.
 *
 * - [data-print]: a button that prints the page (hidden until wired).
 * - [data-date-line]: today's date, in the same words as the server wrote the
 *   render-time line: "<weekday>, <day> <month> <year>", with the names taken
 *   from the element's data-weekdays (Sunday first) and data-months attributes.
 * - [data-stat]: figures refreshed from the JSON at [data-stats-url]; the
 *   render-time values stay when anything goes wrong.
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

  function applyStats(data) {
    if (!data || typeof data !== "object") {
      return;
    }
    var format = numberFormatter();
    all("[data-stat]").forEach(function (element) {
      var name = element.getAttribute("data-stat");
      var value = Object.prototype.hasOwnProperty.call(data, name) ? data[name] : null;
      if (typeof value === "number" && isFinite(value) && value >= 0) {
        element.textContent = format(Math.floor(value));
      }
    });
  }

  function fetchStats() {
    var holder = document.querySelector("[data-stats-url]");
    var url = holder && holder.getAttribute("data-stats-url");
    if (!url || typeof window.fetch !== "function") {
      return;
    }
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        safely(function () {
          applyStats(data);
        });
      })
      .catch(function () {
        /* keep the render-time figures */
      });
  }

  function start() {
    safely(wirePrint);
    safely(fillDateLine);
    safely(fetchStats);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
