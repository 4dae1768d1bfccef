// The WebAuthn ceremonies of the log-in pages. The server renders the options as JSON
// (py_webauthn's options_to_json: binary fields in base64url); this script turns them into
// the browser's ArrayBuffers, asks the authenticator (user verification required), and
// posts its answer back in the form's hidden "credential" field as JSON, base64url again.
"use strict";
(function () {
  const toBytes = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
  };
  const toText = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

  function publicKeyOptions(options, ceremony) {
    options.challenge = toBytes(options.challenge);
    if (ceremony === "create") options.user.id = toBytes(options.user.id);
    for (const list of [options.allowCredentials, options.excludeCredentials]) {
      for (const item of list || []) item.id = toBytes(item.id);
    }
    return options;
  }

  function answer(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      response: response, clientExtensionResults: credential.getClientExtensionResults(),
    });
  }

  for (const form of document.querySelectorAll("form.webauthn")) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.done) return;  // the answer is in: submit for real
      event.preventDefault();
      const ceremony = form.dataset.ceremony;
      const options = publicKeyOptions(
        JSON.parse(form.querySelector(".webauthn-options").textContent), ceremony);
      try {
        const credential = ceremony === "create"
          ? await navigator.credentials.create({ publicKey: options })
          : await navigator.credentials.get({ publicKey: options });
        form.querySelector("input[name=credential]").value = answer(credential);
      } catch (error) {
        form.querySelector("input[name=credential]").value = "";  // the server says why
      }
      form.dataset.done = "1";
      form.submit();
    });
  }
})();
