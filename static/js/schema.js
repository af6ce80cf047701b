// Starts Swagger UI on /schema. It lives here, not inline, because the app's CSP allows scripts from
// this origin only; the page says where the document is and how POSTs carry the CSRF token.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");

  function cookie(name) {
    var prefix = name + "=";
    var found = document.cookie.split("; ").find(function (row) {
      return row.indexOf(prefix) === 0;
    });
    return found ? decodeURIComponent(found.slice(prefix.length)) : undefined;
  }

  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    validatorUrl: null,
    requestInterceptor: function (request) {
      var token = root.dataset.csrfCookie ? cookie(root.dataset.csrfCookie) : undefined;
      if (token && root.dataset.csrfHeader) {
        request.headers[root.dataset.csrfHeader] = token;
      }
      return request;
    },
  });
})();
