// Newsroom viewer-request function (runtime cloudfront-js-2.0).
//
// The site bucket sits behind Origin Access Control, which has no directory
// index, so this function maps clean URLs onto the objects the publisher
// writes:
//   /tin-tuc/          -> /tin-tuc/index.html   (request goes on to S3)
//   /tin-tuc?page=2    -> 301 /tin-tuc/?page=2  (last segment has no dot)
//   /media/anh.jpg     -> unchanged
//
// This file is the single source of truth: template.yaml carries it inline,
// byte for byte (tests/template/test_template.py checks), and
// local/viewer_request.py is its Python port for the local CDN.

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

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri === '' || uri.charAt(uri.length - 1) === '/') {
        request.uri = uri + (uri === '' ? '/' : '') + 'index.html';
        return request;
    }
    var last = uri.substring(uri.lastIndexOf('/') + 1);
    if (last.indexOf('.') !== -1) {
        return request;
    }
    // Browsers read "//host" and "/\host" as another site: never redirect there.
    var path = uri.replace(/^[\/\\]+/, '');
    var location = path === '' ? '/' : '/' + path + '/';
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
