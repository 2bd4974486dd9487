// Passkeys for staff: the one place the staff pages use JavaScript, because browsers only let a
// script ask an authenticator. Without JavaScript the forms still work with the code from an
// authenticator app or a recovery code, and say so.
//
// Two forms use it. The sign-in form (#sign-in-form): "Sign in with a passkey" asks the server
// for a challenge for the name typed, has the browser's passkey sign it, and sends the form with
// the answer in hidden fields. The form that adds a passkey (#passkey-add-form): asks for the
// options, has the browser make the passkey, and sends the form with the answer. The server
// checks everything; messages come from the page (data-* attributes, from the Fluent files).
(function () {
  'use strict';

  function fromBase64url(text) {
    var base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) {
      base64 += '=';
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function ask(url, fields) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    }).then(function (response) {
      if (!response.ok) {
        throw new Error('status ' + response.status);
      }
      return response.json();
    });
  }

  function say(form, key) {
    var box = form.querySelector('.passkey-error');
    if (box) {
      box.textContent = form.getAttribute(key) || '';
      box.hidden = false;
      box.focus();
    }
  }

  var supported = Boolean(window.PublicKeyCredential && navigator.credentials);

  var signIn = document.getElementById('sign-in-form');
  var signInButton = document.getElementById('passkey-sign-in');
  if (signIn && signInButton && supported) {
    signInButton.hidden = false;
    signInButton.addEventListener('click', function () {
      var fields = {
        form_token: signIn.elements.form_token.value,
        username: signIn.elements.username.value,
      };
      ask('/staff/sign-in/passkey', fields)
        .then(function (started) {
          var options = started.options.publicKey;
          options.challenge = fromBase64url(options.challenge);
          (options.allowCredentials || []).forEach(function (c) {
            c.id = fromBase64url(c.id);
          });
          return navigator.credentials.get({ publicKey: options }).then(function (credential) {
            var r = credential.response;
            signIn.elements.passkey_ceremony.value = started.ceremony;
            signIn.elements.passkey_response.value = JSON.stringify({
              id: credential.id,
              rawId: toBase64url(credential.rawId),
              type: credential.type,
              response: {
                authenticatorData: toBase64url(r.authenticatorData),
                clientDataJSON: toBase64url(r.clientDataJSON),
                signature: toBase64url(r.signature),
                userHandle: r.userHandle ? toBase64url(r.userHandle) : null,
              },
            });
            signIn.submit();
          });
        })
        .catch(function () {
          say(signIn, 'data-passkey-failed');
        });
    });
  }

  var add = document.getElementById('passkey-add-form');
  if (add && supported) {
    add.addEventListener('submit', function (event) {
      if (add.elements.response.value) {
        return;
      }
      event.preventDefault();
      ask('/staff/security/passkeys/options', { csrf: add.elements.csrf.value })
        .then(function (started) {
          var options = started.options.publicKey;
          options.challenge = fromBase64url(options.challenge);
          options.user.id = fromBase64url(options.user.id);
          (options.excludeCredentials || []).forEach(function (c) {
            c.id = fromBase64url(c.id);
          });
          return navigator.credentials.create({ publicKey: options }).then(function (credential) {
            var r = credential.response;
            add.elements.ceremony.value = started.ceremony;
            add.elements.response.value = JSON.stringify({
              id: credential.id,
              rawId: toBase64url(credential.rawId),
              type: credential.type,
              response: {
                attestationObject: toBase64url(r.attestationObject),
                clientDataJSON: toBase64url(r.clientDataJSON),
                transports: r.getTransports ? r.getTransports() : [],
              },
            });
            add.submit();
          });
        })
        .catch(function () {
          say(add, 'data-passkey-failed');
        });
    });
  }
})();
