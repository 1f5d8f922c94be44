"""Sign-up, waitlist, check-in and volunteer records (报名、候补、签到、志愿服务记录) over HTTP."""
