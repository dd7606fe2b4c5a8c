"""The identity use cases, wired to whichever adapter set the application runs on."""

from __future__ import annotations

from dependency_injector import containers, providers

from application.identity.accept_invitation import AcceptInvitation
from application.identity.change_password import ChangePassword
from application.identity.confirm_session import ConfirmSession
from application.identity.email_verification import (
    ResendEmailVerification,
    VerificationMail,
    VerifyEmail,
)
from application.identity.invitations import InviteMember, ListInvitations, WithdrawInvitation
from application.identity.limits import Throttle
from application.identity.log_in import LogIn
from application.identity.log_out import LogOut, LogOutEverywhere
from application.identity.members import ChangeMemberRole, ListMembers, RemoveMember, ShowMember
from application.identity.refresh_session import RefreshSession
from application.identity.session_list import ListSessions
from application.identity.sessions import Sessions
from application.identity.show_profile import ShowProfile, ShowTenant
from application.identity.sign_up import SignUp
from application.identity.switch_tenant import SwitchTenant
from entrypoints.identity_wiring import verify_link


class IdentityUseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()
    departure = providers.Dependency(instance_of=object)  # integrations': what leaves with a member

    sessions = providers.Singleton(
        Sessions,
        tokens=adapters.access_tokens,
        clock=adapters.clock,
        policy=adapters.session_policy,
    )
    throttle = providers.Singleton(Throttle, adapters.rate_limiter)
    _uow = adapters.identity_uow
    _hasher = adapters.password_hasher
    _residency = adapters.residency
    # A Factory, not a Singleton: a test's swap of the email adapter reaches it whenever made.
    verification_mail = providers.Factory(
        VerificationMail,
        email=adapters.email,
        verify_link=providers.Callable(verify_link, adapters.settings),
    )

    sign_up = providers.Factory(
        SignUp,
        uow_for=_uow,
        hasher=_hasher,
        sessions=sessions,
        throttle=throttle,
        email=adapters.email,
        residency=_residency,
        verification=verification_mail,
    )
    log_in = providers.Factory(
        LogIn, uow_for=_uow, hasher=_hasher, sessions=sessions, throttle=throttle,
        residency=_residency,
    )  # fmt: skip
    refresh_session = providers.Factory(
        RefreshSession, uow_for=_uow, sessions=sessions, throttle=throttle, residency=_residency
    )
    confirm_session = providers.Singleton(ConfirmSession, uow_for=_uow, sessions=sessions)
    log_out = providers.Factory(LogOut, uow_for=_uow, sessions=sessions)
    log_out_everywhere = providers.Factory(LogOutEverywhere, uow_for=_uow, sessions=sessions)
    list_sessions = providers.Factory(ListSessions, uow_for=_uow, sessions=sessions)
    switch_tenant = providers.Factory(
        SwitchTenant, uow_for=_uow, sessions=sessions, residency=_residency
    )
    change_password = providers.Factory(
        ChangePassword, uow_for=_uow, hasher=_hasher, sessions=sessions, throttle=throttle
    )
    show_profile = providers.Factory(ShowProfile, uow_for=_uow, sessions=sessions)
    show_tenant = providers.Factory(ShowTenant, uow_for=_uow, sessions=sessions)
    list_members = providers.Factory(ListMembers, uow_for=_uow, sessions=sessions)
    show_member = providers.Factory(ShowMember, uow_for=_uow, sessions=sessions)
    change_member_role = providers.Factory(ChangeMemberRole, uow_for=_uow, sessions=sessions)
    remove_member = providers.Factory(
        RemoveMember, uow_for=_uow, sessions=sessions, departure=departure
    )
    invite_member = providers.Factory(
        InviteMember,
        uow_for=_uow,
        sessions=sessions,
        email=adapters.email,
        accept_link=adapters.accept_link,
        throttle=throttle,
    )
    list_invitations = providers.Factory(ListInvitations, uow_for=_uow, sessions=sessions)
    withdraw_invitation = providers.Factory(WithdrawInvitation, uow_for=_uow, sessions=sessions)
    accept_invitation = providers.Factory(
        AcceptInvitation, uow_for=_uow, hasher=_hasher, sessions=sessions, throttle=throttle,
        residency=_residency,
    )  # fmt: skip
    resend_email_verification = providers.Factory(
        ResendEmailVerification, uow_for=_uow, sessions=sessions, mail=verification_mail,
        throttle=throttle,
    )  # fmt: skip
    verify_email = providers.Factory(
        VerifyEmail, uow_for=_uow, sessions=sessions, throttle=throttle
    )
