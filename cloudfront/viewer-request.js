// Newsroom viewer-request function (runtime cloudfront-js-2.0).
//
// The site bucket sits behind Origin Access Control, which has no directory
// index, so this function maps clean URLs onto the objects the publisher
// writes:
//   /tin-tuc/cu.html   -> 301 /tin-tuc/moi.html     (a moved page: its old URI
//                         is a key in the associated KeyValueStore)
//   /tin-tuc/          -> /tin-tuc/index.html   (request goes on to S3)
//   /tin-tuc?page=2    -> 301 /tin-tuc/?page=2  (last segment has no dot)
//   /media/anh.jpg     -> unchanged
// Both redirects keep the query string. A store miss or error serves the
// request as if the store were empty.
//
// This file is the single source of truth: template.yaml carries it inline,
// byte for byte (tests/template/test_template.py checks), and
// local/viewer_request.py is its Python port for the local CDN.

import cf from 'cloudfront';

// The one key value store associated with this function (no id needed).
const redirects = cf.kvs();

function queryString(querystring) {
    var parts = [];
    for (var name in querystring) {
        var entry = querystring[name];
        if (entry.multiValue && entry.multiValue.length > 0) {
            for (var i = 0; i < entry.multiValue.length; i++) {
                parts.push(name + '=' + entry.multiValue[i].value);
            }
        } else {
            parts.push(name + '=' + entry.value);
        }
    }
    return parts.join('&');
}

// Browsers read "//host" and "/\host" as another site: only "/x" is local.
function isLocalPath(path) {
    return typeof path === 'string' && path.charAt(0) === '/' &&
        path.charAt(1) !== '/' && path.charAt(1) !== '\\';
}

function redirect(location, request) {
    var query = queryString(request.querystring || {});
    if (query !== '') {
        location += '?' + query;
    }
    return {
        statusCode: 301,
        statusDescription: 'Moved Permanently',
        headers: { location: { value: location } }
    };
}

async function handler(event) {
    var request = event.request;
    var uri = request.uri;
    var moved = null;
    try {
        moved = await redirects.get(uri);
    } catch (err) {
        moved = null; // not a moved page (get() rejects a missing key)
    }
    if (isLocalPath(moved)) {
        return redirect(moved, request);
    }
    if (uri === '' || uri.charAt(uri.length - 1) === '/') {
        request.uri = uri + (uri === '' ? '/' : '') + 'index.html';
        return request;
    }
    var last = uri.substring(uri.lastIndexOf('/') + 1);
    if (last.indexOf('.') !== -1) {
        return request;
    }
    var path = uri.replace(/^[\/\\]+/, '');
    return redirect(path === '' ? '/' : '/' + path + '/', request);
}
