"""nbgrader settings for every server on the course hub (course/hub/jupyterhub_config.py puts this folder on
JUPYTER_CONFIG_PATH): the course, the exchange the hub made, and a learner's student id.
"""
import os

c = get_config()  # noqa: F821 - injected by traitlets when it loads this file

c.CourseDirectory.course_id = "dlcourse"
c.Exchange.root = os.environ.get("DLCOURSE_EXCHANGE", "/srv/nbgrader/exchange")
# Set by the hub for learners only: the instructor's commands (collect, release_feedback) act on every student.
if os.environ.get("DLCOURSE_STUDENT_ID"):
    c.CourseDirectory.student_id = os.environ["DLCOURSE_STUDENT_ID"]
# On the one-machine hub every server runs as the same Unix account, so who owns a submission says nothing about
# who sent it (nbgrader would call every submission a cheating attempt). With an account per learner it stays on.
if os.environ.get("DLCOURSE_HUB_ONE_ACCOUNT"):
    c.CollectApp.check_owner = False
