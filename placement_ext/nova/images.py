"""The Glance image API client: snapshots go to the lease's project.

The agent asks Nova for a before-end snapshot as its service user, so Nova
makes the image in the service project. Blazar acted through the user's
trust and the image was the user's; here the agent hands the image over by
setting its owner to the lease's project (an administrator's change in
Glance), at once, while Nova may still be uploading it.
"""

from urllib import parse

from oslo_log import log as logging

from placement_ext.conf import glance as glance_conf
from placement_ext import exception
from placement_ext import rest_client

LOG = logging.getLogger(__name__)

GROUP = glance_conf.GROUP
# Glance v2 takes changes as a JSON patch of this media type.
PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'


class ImageUnavailable(exception.ServiceUnavailable):
    """Glance is unreachable or failing; retry later."""


class ImageRefused(exception.ServiceRefused):
    """Glance refused a request."""


class ImageClient(rest_client.RestClient):
    """JSON requests against Glance."""

    service_name = 'Glance'
    group = GROUP
    unavailable_error = ImageUnavailable
    refused_error = ImageRefused


def give_to_project(images, image_id, project_id):
    """Make ``project_id`` the owner of the image; False when the image is
    gone."""
    url = '/v2/images/%s' % parse.quote(image_id, safe='')
    patch = [{'op': 'replace', 'path': '/owner', 'value': project_id}]
    resp = images.request('PATCH', url, patch, expect=(200, 404),
                          content_type=PATCH_TYPE)
    return resp.status == 200
