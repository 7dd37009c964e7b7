import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { CoreModule, CoreOptions } from './common/core.module';
import { DatabaseModule } from './infra/database/database.module';
import { InfraModule } from './infra/infra.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AuthModule } from './modules/auth/auth.module';
import { TokensModule } from './modules/auth/tokens.module';
import { CentersModule } from './modules/centers/centers.module';
import { DemoModule } from './modules/demo/demo.module';
import { HealthModule } from './modules/health/health.module';
import { PortalModule } from './modules/portal/portal.module';
import { WidgetModule } from './modules/widget/widget.module';
import { LiveQueueModule } from './modules/live-queue/live-queue.module';
import { RoomsModule } from './modules/rooms/rooms.module';
import { TopicChatsModule } from './modules/topic-chats/topic-chats.module';
import { CannedResponsesModule } from './modules/canned-responses/canned-responses.module';
import { ThreadsModule } from './modules/threads/threads.module';
import { DocumentsModule } from './modules/documents/documents.module';
import { loggerOptions } from './infra/logger';
import { AdminModule } from './modules/admin/admin.module';
import { AbsencesModule } from './modules/absences/absences.module';
import { ClientCounselorsModule } from './modules/client-counselors/client-counselors.module';
import { NotesModule } from './modules/notes/notes.module';
import { RetentionModule } from './modules/retention/retention.module';
import { TeamModule } from './modules/team/team.module';
import { StatsModule } from './modules/stats/stats.module';
import { RealtimeModule } from './realtime/realtime.module';
import { AppointmentsModule } from './modules/appointments/appointments.module';
import { VideoModule } from './modules/video/video.module';
import { MetricsModule } from './modules/metrics/metrics.module';

@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerOptions(options.config, options.logStream)),
        CoreModule.forRoot(options),
        InfraModule,
        // every feature that keeps something per account handles ACCOUNT_DELETING: more than the default 10 listeners
        EventEmitterModule.forRoot({ maxListeners: 50 }),
        ScheduleModule.forRoot(),
        DatabaseModule,
        HealthModule,
        RealtimeModule.forRoot({ authenticator: TokensModule }),
        CentersModule,
        AccountsModule,
        AuthModule,
        DemoModule,
        WidgetModule,
        PortalModule,
        RoomsModule,
        LiveQueueModule,
        TopicChatsModule,
        CannedResponsesModule,
        ThreadsModule,
        DocumentsModule,
        AdminModule,
        AbsencesModule,
        ClientCounselorsModule,
        NotesModule,
        RetentionModule,
        AppointmentsModule,
        VideoModule,
        TeamModule,
        StatsModule,
        MetricsModule,
      ],
    };
  }
}
