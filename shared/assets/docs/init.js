// Renders the API's own document, served beside this page (relative, so a stage
// or custom-domain prefix keeps working).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: new URL("openapi.json", window.location.href).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayOperationId: true,
    docExpansion: "list",
    tryItOutEnabled: false,
    // Nothing leaves for swagger.io, and no URL parameter can point the page at
    // another document.
    validatorUrl: null,
    queryConfigEnabled: false,
  });
});
